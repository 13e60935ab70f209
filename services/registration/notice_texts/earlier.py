"""The notices shown before 2026-12-05: the one bundled consent (legacy) and the first with separate consents."""

#: The one bundled notice shown before consents were separate (registrations up to 2026-12-04, and API clients
#: still sending `consent: true`), kept word for word as people saw it.
LEGACY = {
    "id": (
        "Data pribadi Anda (pemberitahuan lama)",
        [
            (
                "",
                [
                    "Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan memproses data Anda untuk "
                    "mengelola pendaftaran, mengirim konfirmasi dan pengingat, mencatat kehadiran, dan menyusun "
                    "laporan program tanpa nama (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi).",
                    "Data tidak dibagikan kepada pihak lain. Anda dapat membatalkan pendaftaran dan berhenti "
                    "menerima pesan kapan saja lewat tautan di pesan kami.",
                ],
            )
        ],
    ),
    "en": (
        "Your personal data (earlier notice)",
        [
            (
                "",
                [
                    "The Library and Archives Office of South Kalimantan Province processes your data to manage "
                    "registrations, send confirmations and reminders, record attendance, and compile programme "
                    "reports without names (Law No. 27 of 2022 on Personal Data Protection).",
                    "Data is not shared with other parties. You can cancel your registration and stop receiving "
                    "messages at any time through the link in our messages.",
                ],
            )
        ],
    ),
}

TEXT_2026_12_04 = {
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
                ],
            ),
            (
                "Hak Anda",
                [
                    "Lewat halaman konfirmasi Anda (tautannya ada di pesan konfirmasi) Anda dapat melihat "
                    "pendaftaran dan membatalkannya. Balas STOP pada SMS atau WhatsApp kami untuk berhenti "
                    "menerima pesan.",
                    "Untuk melihat, membetulkan, atau menghapus data Anda, atau menarik persetujuan, hubungi "
                    "Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan atau narahubung acara.",
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
                ],
            ),
            (
                "Your rights",
                [
                    "On your confirmation page (linked in the confirmation message) you can see your "
                    "registration and cancel it. Reply STOP to our SMS or WhatsApp messages to stop receiving "
                    "them.",
                    "To see, correct or erase your data, or to withdraw a consent, contact the Library and "
                    "Archives Office of South Kalimantan Province or the event's contact person.",
                ],
            ),
        ],
    ),
}
