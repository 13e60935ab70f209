"""The notice of 2026-12-06: adds the evaluation and its knowledge test, organisers' announcements, registering
someone else, and the door kit's copy of the list on an organiser's phone."""

TEXT = {
    "id": (
        "Pemberitahuan privasi",
        [
            (
                "Siapa yang memproses data Anda",
                [
                    "Pengendali data: Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan "
                    "(UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi).",
                ],
            ),
            (
                "Untuk apa",
                [
                    "Pelatihan (wajib untuk mendaftar): mengelola pendaftaran dan daftar tunggu, mencatat kehadiran "
                    "di pintu, menyiapkan pendampingan yang Anda minta, menerbitkan sertifikat, dan meminta evaluasi "
                    "sesudah pelatihan. Jawaban evaluasi dan tes pengetahuan (bila panitia memakainya) dipakai untuk "
                    "memperbaiki pelatihan; laporan program hanya memuat angkanya, tanpa nama.",
                    "Pesan (wajib untuk saluran yang Anda pilih): konfirmasi, pengingat, pengumuman panitia tentang "
                    "acara ini, sertifikat, permintaan evaluasi, dan kabar perubahan atau pembatalan acara.",
                    "Bila Anda didaftarkan oleh orang lain (misalnya kader PKK atau pengelola perpustakaan desa) dan "
                    "tidak punya nomor HP atau email sendiri, pesan untuk Anda dikirim ke kontak orang itu dengan "
                    "keterangan “untuk” nama Anda; persetujuan Anda dicatat sebagai diberikan langsung kepadanya.",
                    "Statistik (boleh tidak): jawaban disabilitas Anda dihitung tanpa nama dalam laporan "
                    "program. Tanpa persetujuan ini, Anda dihitung sebagai \u201ctidak ingin menjawab\u201d.",
                ],
            ),
            (
                "Siapa yang ikut memproses",
                [
                    "Email: dikirim lewat penyedia layanan email (server SMTP) yang dipakai Dinas.",
                    "SMS: dikirim lewat Zenziva, dan bila perlu lewat Twilio.",
                    "WhatsApp: dikirim lewat WhatsApp Cloud API milik Meta.",
                    "Mereka hanya menerima nomor HP atau email Anda dan isi pesan, untuk mengirimkannya. "
                    "Data tidak dijual atau dibagikan untuk keperluan lain.",
                ],
            ),
            (
                "Berapa lama",
                [
                    "Nama, nomor HP, email, kebutuhan pendampingan, kode, dan tulisan Anda di evaluasi dihapus "
                    "{days} hari setelah acara selesai. Setelah itu hanya tersisa angka tanpa nama untuk laporan.",
                    "Di hari acara, panitia dapat menyimpan daftar peserta di ponselnya agar pencatatan kehadiran "
                    "tetap jalan tanpa sinyal: daftar itu tersandi dan terhapus sesudah hari acara.",
                    "Sertifikat yang terbit untuk Anda (nomor, nama, pelatihan) disimpan agar tetap dapat "
                    "diverifikasi, sampai Anda memintanya dihapus di \u201cData saya\u201d.",
                ],
            ),
            (
                "Hak Anda",
                [
                    "Di halaman \u201cData saya\u201d (tautannya ada di setiap pesan kami, atau minta kode "
                    "sekali pakai di /data-saya) Anda dapat melihat semua data Anda beserta pesan yang "
                    "dikirim dan siapa yang mengaksesnya, mengunduhnya, membetulkannya, menarik persetujuan "
                    "statistik atau pengingat, dan menghapusnya. Sebagian besar langsung dikerjakan; yang "
                    "perlu diputuskan petugas dijawab paling lambat 3 \u00d7 24 jam.",
                    "Balas STOP pada SMS atau WhatsApp kami untuk berhenti menerima pesan. Pertanyaan lain: "
                    "hubungi Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan atau narahubung acara.",
                ],
            ),
        ],
    ),
    "en": (
        "Privacy notice",
        [
            (
                "Who processes your data",
                [
                    "Controller: the Library and Archives Office of South Kalimantan Province (Dinas "
                    "Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan), under Law No. 27 of 2022 on "
                    "Personal Data Protection.",
                ],
            ),
            (
                "What for",
                [
                    "The training (required to register): managing registrations and the waiting list, recording "
                    "attendance at the door, preparing the assistance you ask for, issuing certificates, and asking "
                    "for an evaluation after the training. Evaluation and knowledge test answers (when the "
                    "organisers use one) serve to improve the trainings; the programme's reports hold only the "
                    "figures, without names.",
                    "Messages (required for the channel you choose): confirmation, reminders, the organisers' "
                    "announcements about this event, certificates, the evaluation request, and news of a change or "
                    "cancellation.",
                    "If someone else registered you (a PKK cadre or a village librarian, say) and you have no phone "
                    "number or email of your own, your messages go to that person's contact, marked “for” your name; "
                    "your consent is recorded as given to them in person.",
                    "Statistics (optional): your disability answer is counted, without your name, in the "
                    "programme's reports. Without this consent you are counted as \u201cprefer not to say\u201d.",
                ],
            ),
            (
                "Who else handles it",
                [
                    "Email: sent through the Office's email provider (SMTP server).",
                    "SMS: sent through Zenziva, and when needed through Twilio.",
                    "WhatsApp: sent through Meta's WhatsApp Cloud API.",
                    "They receive only your phone number or email and the message, to deliver it. Your data "
                    "is not sold or shared for any other purpose.",
                ],
            ),
            (
                "How long",
                [
                    "Your name, phone number, email, assistance needs, codes and what you wrote in the evaluation "
                    "are erased {days} days after the event ends. After that only anonymous figures remain for the "
                    "reports.",
                    "On the event's day, the organisers may keep the list of participants on their phone so that "
                    "attendance can be recorded without signal: that list is encrypted and erased after the event's "
                    "day.",
                    "A certificate issued to you (number, name, training) is kept so it can still be verified, "
                    "until you ask for it to be erased on \u201cData saya\u201d.",
                ],
            ),
            (
                "Your rights",
                [
                    "On \u201cData saya\u201d (My data; linked in every message we send, or ask for a one-time "
                    "code at /data-saya) you can see all your data, including the messages sent and who "
                    "accessed it, download it, correct it, withdraw the statistics or reminders consent, and "
                    "erase it. Most of this happens at once; what staff must decide is answered within "
                    "3 \u00d7 24 hours.",
                    "Reply STOP to our SMS or WhatsApp messages to stop receiving them. Any other question: "
                    "contact the Library and Archives Office of South Kalimantan Province or the event's "
                    "contact person.",
                ],
            ),
        ],
    ),
}
