/* Pelita's door kit (docs/organiser.md, "Kit pintu"): check people in and register walk-ins at the door, with or
   without signal, and sync what was recorded when the signal returns.

   What the phone keeps: one IndexedDB entry per event, holding the list and the records made here, encrypted with
   AES-GCM under the key the server hands the signed-in session (kept in sessionStorage, never in IndexedDB). Only
   the wipe dates and the number of records not yet sent are kept in the clear. The list is wiped after the event's
   last day (WITA); records never sent are wiped when the check-in window closes. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kit-config").textContent);
  const T = config.texts;
  const EVENT = config.event_id;
  const KEY_SLOT = "pelita-pintu-key-" + EVENT;
  const CSRF_SLOT = "pelita-pintu-csrf-" + EVENT;
  const DB_NAME = "pelita-pintu";
  const STORE = "kits";
  const BATCH = 50;
  const $ = (id) => document.getElementById(id);

  let state = { people: [], records: [] };
  let meta = { wipe_at: null, discard_at: null, notice_version: null };
  let cryptoKey = null;
  let syncing = false;
  let online = false;
  let retry = null;
  let retryDelay = 2000;

  /* ---------- the phone's store: IndexedDB, encrypted ---------- */

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "event_id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, action) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => { db.close(); resolve(request ? request.result : undefined); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    });
  }

  const loadEntry = () => withStore("readonly", (store) => store.get(EVENT));
  const saveEntry = (entry) => withStore("readwrite", (store) => store.put(entry));
  const wipeEntry = () => withStore("readwrite", (store) => store.delete(EVENT));

  function bytesOf(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  }

  const importKey = (raw) => crypto.subtle.importKey("raw", bytesOf(raw), "AES-GCM", false, ["encrypt", "decrypt"]);

  async function encrypt(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    return { iv, data: await crypto.subtle.encrypt({ name: "AES-GCM", iv }, cryptoKey, plain) };
  }

  async function decrypt(entry) {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: entry.iv }, cryptoKey, entry.data);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  /* Saves run one after another: two taps in quick succession must not let the older state be written last. */
  let saving = Promise.resolve();
  function persist() {
    saving = saving.catch(() => {}).then(async () => {
      const sealed = await encrypt(state);
      await saveEntry({
        event_id: EVENT, iv: sealed.iv, data: sealed.data, wipe_at: meta.wipe_at, discard_at: meta.discard_at,
        notice_version: meta.notice_version, pending: pending().length, saved_at: new Date().toISOString(),
      });
    });
    return saving;
  }

  const pending = () => state.records.filter((record) => record.state === "pending");
  const past = (moment) => moment && Date.now() >= Date.parse(moment);

  /* ---------- starting: the list from the server when there is signal, else from the phone ---------- */

  async function fetchData() {
    try {
      const response = await fetch(config.data_url, { credentials: "same-origin", cache: "no-store", redirect: "manual" });
      if (response.type === "opaqueredirect" || response.status === 401) return { signedOut: true };
      if (!response.ok) return null;
      return { data: await response.json() };
    } catch (error) {
      return null; // no signal
    }
  }

  async function start() {
    let entry = await loadEntry();
    if (entry && past(entry.discard_at)) { await wipeEntry(); entry = null; }
    const fresh = await fetchData();
    online = Boolean(fresh && fresh.data);
    if (online) {
      sessionStorage.setItem(KEY_SLOT, fresh.data.key);
      sessionStorage.setItem(CSRF_SLOT, fresh.data.csrf);
    }
    const raw = sessionStorage.getItem(KEY_SLOT);
    if (!raw) {
      say(fresh && fresh.signedOut ? T.signed_out : T.no_key, "error");
      render();
      return;
    }
    cryptoKey = await importKey(raw);
    let note = null;
    if (entry) {
      try {
        state = await decrypt(entry);
        meta = { wipe_at: entry.wipe_at, discard_at: entry.discard_at, notice_version: entry.notice_version };
      } catch (error) {
        note = T.unreadable; // another session's copy: without its key it stays unreadable
      }
    }
    if (online) {
      const data = fresh.data;
      meta = { wipe_at: data.wipe_at, discard_at: data.discard_at, notice_version: data.notice_version };
      const waiting = (kind) => new Set(pending().filter((r) => r.kind === kind).map((r) => r.registration_id));
      const mine = waiting("check_in");
      const undone = waiting("undo");
      state.people = data.people.map((person) => Object.assign(person, {
        present: (person.present || mine.has(person.id)) && !undone.has(person.id),
      }));
    }
    if (past(meta.wipe_at)) {
      state = { people: [], records: pending() };
      note = T.wiped;
    }
    await persist();
    say(note || (online ? T.online : T.offline), note ? "error" : online ? "success" : "");
    render();
    document.body.dataset.kit = online ? "online" : "offline";
    syncNow();
  }

  /* ---------- recording at the door ---------- */

  /* A record made at the door, waiting to be sent: its id is made here, so sending it twice is recognised. */
  function addRecord(kind, label, fields) {
    state.records.push({
      id: crypto.randomUUID(), kind, label, made_at: new Date().toISOString(), state: "pending", ...fields,
    });
  }

  /* After each change at the door: kept on the phone, told, shown, and sent if there is signal. */
  async function recorded(message) {
    await persist();
    say(message, "success");
    render();
    syncNow();
  }

  async function checkIn(person) {
    if (person.present || person.status !== "confirmed") return;
    person.present = true;
    addRecord("check_in", person.name, { registration_id: person.id });
    await recorded(T.checked_in_local.replace("{name}", person.name));
  }

  /* A check-in this phone made can be taken back for a few minutes, as on the list: one not yet sent is simply
     dropped; one the server has gets an "undo" record of its own, synced like the rest. */
  function undoable(person) {
    const made = state.records.filter((r) => r.kind === "check_in" && r.registration_id === person.id).pop();
    if (!made || made.undone || !(made.state === "pending" || made.outcome === "checked_in")) return null;
    return Date.now() - Date.parse(made.made_at) <= config.undo_minutes * 60000 ? made : null;
  }

  async function undo(person) {
    const made = undoable(person);
    if (!made) return;
    person.present = false;
    if (made.state === "pending" && !syncing) {
      state.records.splice(state.records.indexOf(made), 1);
    } else {
      made.undone = true;
      addRecord("undo", person.name, { registration_id: person.id });
    }
    await recorded(T.undone_local.replace("{name}", person.name));
  }

  async function walkIn(event) {
    event.preventDefault();
    const form = event.target;
    const value = (name) => form.elements[name].value.trim();
    const noContact = form.elements.no_contact.checked; // no phone or email of their own: no message can reach them
    const contact = noContact ? !(value("phone") || value("email")) : Boolean(value("phone") || value("email"));
    const ok = value("full_name").length >= 2 && contact && value("gender") && value("age_group")
      && form.elements.consent_training.checked && (noContact || form.elements.consent_messages.checked);
    if (!ok) {
      const missing = noContact ? (contact ? T.walk_in_missing_no_contact : T.walk_in_contact_given) : T.walk_in_missing;
      $("walk-in-error").textContent = missing;
      return;
    }
    $("walk-in-error").textContent = "";
    const person = {
      full_name: value("full_name"), phone: value("phone") || null, email: value("email") || null,
      preferred_channel: value("preferred_channel"), kabupaten_code: value("kabupaten_code"), gender: value("gender"),
      age_group: value("age_group"), disability: value("disability"), participant_type: value("participant_type"),
      institution: value("institution"), locale: document.documentElement.lang === "en" ? "en" : "id",
      consents: {
        training: form.elements.consent_training.checked, messages: form.elements.consent_messages.checked,
        statistics: form.elements.consent_statistics.checked,
      },
      notice_version: meta.notice_version,
    };
    if (noContact) {
      person.no_contact = true;
      person.consents.messages = false;
    } else if (!person.phone && person.preferred_channel !== "email") {
      person.preferred_channel = "email";
    }
    addRecord("walk_in", person.full_name, { person });
    form.reset(); // at once, before the slow encrypted save: the organiser may already be typing the next person
    await recorded(T.walk_in_saved);
  }

  /* Without a phone or email, the contact fields and the messages consent mean nothing: emptied and set aside. */
  function noContactChanged(event) {
    const form = event.target.form;
    for (const name of ["phone", "email", "preferred_channel", "consent_messages"]) {
      const field = form.elements[name];
      field.disabled = event.target.checked;
      if (event.target.checked && field.type === "checkbox") field.checked = false;
      else if (event.target.checked && field.tagName === "INPUT") field.value = "";
    }
  }

  /* ---------- syncing when the signal returns ---------- */

  async function syncNow() {
    if (syncing || !cryptoKey || !pending().length) { render(); return; }
    syncing = true;
    try {
      while (pending().length) {
        const batch = pending().slice(0, BATCH);
        const body = {
          records: batch.map((r) => ({
            id: r.id, kind: r.kind, made_at: r.made_at, registration_id: r.registration_id || null, person: r.person || null,
          })),
        };
        const response = await fetch(config.sync_url, {
          method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
          headers: { "Content-Type": "application/json", "X-CSRFToken": sessionStorage.getItem(CSRF_SLOT) || "" },
          body: JSON.stringify(body),
        });
        if (response.type === "opaqueredirect" || response.status === 401) { say(T.signed_out, "error"); break; }
        if (response.status === 422) { batch.forEach((r) => settle(r, { outcome: "refused", message: T.sync_failed })); continue; }
        if (!response.ok) { say(T.sync_failed, "error"); retrySoon(); break; }
        const answer = await response.json();
        answer.results.forEach((result) => {
          const record = batch.find((r) => r.id === result.id);
          if (record) settle(record, result);
        });
        await persist();
        retryDelay = 2000;
        online = true;
        document.body.dataset.kit = "online";
        say(T.online, "success");
      }
    } catch (error) {
      online = false;
      say(T.offline, ""); // no signal: everything stays pending, tried again on "online" and every half minute
      retrySoon();
    } finally {
      syncing = false;
      await persist();
      render();
    }
  }

  /* The first request as the signal comes back often fails: with signal reported, try again after 2 s, then 4, 8...
     up to the half-minute round, rather than leave the records waiting for it. */
  function retrySoon() {
    if (retry || !navigator.onLine) return;
    retry = setTimeout(() => { retry = null; syncNow(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function settle(record, result) {
    record.state = result.outcome === "refused" ? "refused" : "synced";
    record.outcome = result.outcome;
    record.message = result.message || "";
    const person = state.people.find((p) => p.id === record.registration_id);
    if (record.kind === "check_in" && result.outcome === "refused" && person) person.present = false;
    if (record.kind === "undo" && result.outcome === "refused") { // too late, say: the check-in stands
      if (person) person.present = true;
      const made = state.records.filter((r) => r.kind === "check_in" && r.registration_id === record.registration_id).pop();
      if (made) made.undone = false;
    }
    if (record.kind === "walk_in") {
      if (result.outcome === "seated" || result.outcome === "waitlisted") {
        state.people.push({
          id: result.registration_id, name: record.person.full_name, code: "", phone: record.person.phone || "",
          status: result.outcome === "seated" ? "confirmed" : "waitlisted", present: result.outcome === "seated",
        });
      }
      if (record.state === "synced") delete record.person; // the server has it: the phone keeps the name only
    }
  }

  /* ---------- finding people: by name, check-in code, phone, or the QR code on their confirmation ---------- */

  function digits(text) {
    const only = text.replace(/\D/g, "");
    return only.startsWith("0") ? "62" + only.slice(1) : only;
  }

  function find(query) {
    const text = query.trim().toLocaleLowerCase();
    if (text.length < 2) return [];
    const number = digits(query);
    return state.people.filter((p) =>
      p.name.toLocaleLowerCase().includes(text)
      || (p.code && p.code.toLowerCase() === text)
      || (number.length >= 4 && p.phone && p.phone.replace(/\D/g, "").includes(number))
    ).slice(0, 20);
  }

  function fromQr(text) {
    const link = text.trim().match(/\/staf\/hadir\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    if (link) {
      try {
        const id = JSON.parse(new TextDecoder().decode(bytesOf(link[1])));
        return state.people.find((p) => p.id === id) || null;
      } catch (error) {
        return null;
      }
    }
    const code = text.trim().toUpperCase();
    return state.people.find((p) => p.code && p.code === code) || null;
  }

  function showScanned(text) {
    const person = fromQr(text);
    $("scan-result").textContent = person ? person.name : T.qr_unknown;
    fill($("scanned"), person ? [person] : []);
  }

  /* jsQR (250 kB) is fetched only when a code is to be read; the service worker keeps it for use without signal. */
  let reader = null;

  function loadReader() {
    if (!reader) {
      reader = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = config.jsqr_url;
        script.onload = () => resolve(window.jsQR);
        script.onerror = () => { reader = null; reject(new Error("jsQR")); };
        document.head.append(script);
      });
    }
    return reader;
  }

  function decodeCanvas(canvas) {
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(image.data, image.width, image.height);
    return code ? code.data : null;
  }

  async function scanPhoto(event) {
    const file = event.target.files[0];
    if (!file) return;
    try { await loadReader(); } catch (error) { $("scan-result").textContent = T.reader_missing; return; }
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const text = decodeCanvas(canvas);
    if (text) showScanned(text); else $("scan-result").textContent = T.qr_none;
    event.target.value = "";
  }

  let stream = null;

  async function startCamera() {
    try {
      await loadReader();
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      $("scan-result").textContent = T.camera_failed;
      return;
    }
    const video = $("scan-video");
    video.srcObject = stream;
    video.hidden = false;
    $("scan-stop").hidden = false;
    await video.play();
    const canvas = document.createElement("canvas");
    const look = () => {
      if (!stream) return;
      if (video.readyState >= 2 && video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        const text = decodeCanvas(canvas);
        if (text) { stopCamera(); showScanned(text); return; }
      }
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    $("scan-video").hidden = true;
    $("scan-stop").hidden = true;
  }

  /* ---------- what the organiser sees ---------- */

  function say(text, kind) {
    const status = $("kit-status");
    status.textContent = text;
    status.className = "notice" + (kind ? " notice-" + kind : "");
  }

  function fill(list, people) {
    list.replaceChildren(...people.map((person) => {
      const item = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = person.name;
      item.append(name, " ");
      if (person.code) item.append(person.code, " ");
      if (person.present) {
        const tag = document.createElement("span");
        tag.className = "tag ok";
        tag.textContent = T.present;
        item.append(tag);
        if (undoable(person)) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "secondary";
          button.textContent = T.undo;
          button.setAttribute("aria-label", T.undo + ": " + person.name);
          button.addEventListener("click", () => undo(person));
          item.append(" ", button);
        }
      } else if (person.status !== "confirmed") {
        const tag = document.createElement("span");
        tag.className = "tag wait";
        tag.textContent = T.waitlisted;
        item.append(tag);
      } else {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = T.check_in;
        button.setAttribute("aria-label", T.check_in + ": " + person.name);
        button.addEventListener("click", () => checkIn(person));
        item.append(button);
      }
      return item;
    }));
  }

  function render() {
    $("pending-count").textContent = String(pending().length);
    const query = $("find").value;
    fill($("found"), find(query));
    if (query.trim().length >= 2 && !find(query).length) {
      const none = document.createElement("li");
      none.textContent = T.none_found;
      $("found").append(none);
    }
    const scanned = $("scanned").firstElementChild;
    if (scanned) {
      const name = scanned.querySelector("strong").textContent;
      fill($("scanned"), state.people.filter((p) => p.name === name).slice(0, 1));
    }
    $("records").replaceChildren(...state.records.slice().reverse().map((record) => {
      const item = document.createElement("li");
      item.dataset.state = record.state;
      const name = document.createElement("strong");
      name.textContent = record.label;
      const tag = document.createElement("span");
      tag.className = "tag " + (record.state === "pending" ? "wait" : record.state === "refused" ? "bad" : "ok");
      tag.textContent = record.state === "pending" ? T.pending : record.message;
      const kinds = { walk_in: T.kind_walk_in, check_in: T.kind_check_in, undo: T.kind_undo };
      item.append(name, " (", kinds[record.kind], ") ", tag);
      return item;
    }));
  }

  /* ---------- wiring ---------- */

  document.addEventListener("DOMContentLoaded", () => {
    $("find").addEventListener("input", render);
    $("walk-in").addEventListener("submit", walkIn);
    $("w-no-contact").addEventListener("change", noContactChanged);
    $("walk-in").addEventListener("reset", () => setTimeout(() => noContactChanged({ target: $("w-no-contact") })));
    $("sync-now").addEventListener("click", syncNow);
    $("scan-photo").addEventListener("change", scanPhoto);
    $("scan-start").addEventListener("click", startCamera);
    $("scan-stop").addEventListener("click", stopCamera);
    window.addEventListener("online", syncNow);
    window.addEventListener("offline", () => say(T.offline, ""));
    setInterval(syncNow, 30000);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.sw_url, { scope: config.scope }).catch(() => {});
    }
    start().catch(() => say(T.sync_failed, "error"));
  });
})();
