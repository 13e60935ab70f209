-- One database per service (docker-compose.yml); `registration` is created by the image itself.
CREATE DATABASE notifications OWNER pelita;
CREATE DATABASE reporting OWNER pelita;
