"""The notice of 2026-12-05: certificates kept until erased, the processors named, Data saya's rights."""

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
                    "Pelatihan (wajib untuk mendaftar): mengelola pendaftaran dan daftar tunggu, mencatat "
                    "kehadiran di pintu, dan menyiapkan pendampingan yang Anda minta.",
                    "Pesan (wajib untuk saluran yang Anda pilih): konfirmasi, pengingat, dan kabar perubahan "
                    "atau pembatalan acara.",
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
                    "Nama, nomor HP, email, kebutuhan pendampingan, dan kode Anda dihapus {days} hari setelah "
                    "acara selesai. Setelah itu hanya tersisa angka tanpa nama untuk laporan.",
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
                    "The training (required to register): managing registrations and the waiting list, "
                    "recording attendance at the door, and preparing the assistance you ask for.",
                    "Messages (required for the channel you choose): confirmation, reminders, and news of a "
                    "change or cancellation.",
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
                    "Your name, phone number, email, assistance needs and codes are erased {days} days after "
                    "the event ends. After that only anonymous figures remain for the reports.",
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
