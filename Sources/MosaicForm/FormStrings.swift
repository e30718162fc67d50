/// The form's words in English and Spanish, keyed like the reports' language files.
enum FormStrings {
    static let en: [String: String] = [
        "title": "Quarterly incident counts",
        "lang_switch": "Español",
        "credential_warning":
            "This file is your school's key to submit. Whoever has it can submit counts in your school's name: keep it like a password, do not forward it, and delete copies you do not need.",
        "intro":
            "Count the people affected by sexual deepfakes (AI-made nude or sexual images) at your school this quarter. Enter numbers only: no names, no descriptions. Nothing you type leaves this computer except the sealed file you save, which only your authority can open.",
        "period": "Quarter",
        "nothing": "Nothing happened at our school this quarter",
        "nothing_hint": "Tick this to report no incidents. Otherwise fill in every table; an empty cell in a table you filled counts as 0.",
        "total": "Total",
        "persons": "Persons",
        "persons_note": "Each table of persons counts every affected person once: their totals must be equal.",
        "responses_note": "Several responses may apply to one person: each cell is at most the number of persons.",
        "problems_title": "Fix these before saving",
        "no_problems": "Ready to save.",
        "save": "Save sealed package",
        "print": "Print a paper record",
        "saved":
            "Saved {file} to your downloads. Hand it to your regional authority on any medium (e-mail, USB stick). It is encrypted: only the authority can open it.",
        "saving": "Sealing…",
        "unsupported":
            "This browser cannot seal packages (it lacks Ed25519 or X25519 in Web Crypto). Open this file in a current Chrome, Edge, Firefox or Safari.",
        "p_not_whole": "{cell}: write a whole number of 0 or more.",
        "p_decimal_comma": "{cell}: a count is a whole number; \"{value}\" has a decimal comma.",
        "p_negative": "{cell}: a count cannot be negative.",
        "p_too_large": "{cell}: larger than the school's enrolment ({enrolment}).",
        "p_table_empty": "{table}: not filled in. Type the counts, or 0 if none.",
        "p_totals": "The totals of \"{a}\" ({na}) and \"{b}\" ({nb}) differ: each counts every affected person once.",
        "p_above_total": "{cell}: larger than the number of affected persons ({n}).",
        "p_nothing_entered": "Fill in the tables, or tick \"Nothing happened at our school this quarter\".",
        "p_period": "Choose the quarter.",
        "school": "School",
        "enrolment": "Registered pupils",
        "record_title": "Paper record: counts submitted",
        "keys_note": "Sealed with this school's key; encrypted to authority key {fingerprint}.",
    ]

    static let es: [String: String] = [
        "title": "Recuento trimestral de incidentes",
        "lang_switch": "English",
        "credential_warning":
            "Este archivo es la llave de su centro para enviar datos. Quien lo tenga puede enviar recuentos en nombre del centro: guárdelo como una contraseña, no lo reenvíe y borre las copias que no necesite.",
        "intro":
            "Cuente las personas afectadas por deepfakes sexuales (imágenes de desnudo o sexuales hechas con IA) en su centro este trimestre. Escriba solo números: ni nombres ni descripciones. Nada de lo que escriba sale de este ordenador salvo el archivo sellado que guarde, que solo su autoridad puede abrir.",
        "period": "Trimestre",
        "nothing": "No ha ocurrido nada en nuestro centro este trimestre",
        "nothing_hint":
            "Márquelo para declarar que no hubo incidentes. Si no, rellene todas las tablas; una celda vacía en una tabla que ha rellenado cuenta como 0.",
        "total": "Total",
        "persons": "Personas",
        "persons_note": "Cada tabla de personas cuenta una vez a cada persona afectada: sus totales deben coincidir.",
        "responses_note": "A una persona pueden corresponderle varias respuestas: cada celda es como mucho el número de personas.",
        "problems_title": "Corrija esto antes de guardar",
        "no_problems": "Listo para guardar.",
        "save": "Guardar paquete sellado",
        "print": "Imprimir un justificante",
        "saved":
            "Se ha guardado {file} en sus descargas. Entréguelo a su autoridad regional por cualquier medio (correo, memoria USB). Está cifrado: solo la autoridad puede abrirlo.",
        "saving": "Sellando…",
        "unsupported":
            "Este navegador no puede sellar paquetes (le falta Ed25519 o X25519 en Web Crypto). Abra este archivo en una versión actual de Chrome, Edge, Firefox o Safari.",
        "p_not_whole": "{cell}: escriba un número entero de 0 o más.",
        "p_decimal_comma": "{cell}: un recuento es un número entero; «{value}» lleva coma decimal.",
        "p_negative": "{cell}: un recuento no puede ser negativo.",
        "p_too_large": "{cell}: mayor que el alumnado matriculado del centro ({enrolment}).",
        "p_table_empty": "{table}: sin rellenar. Escriba los recuentos, o 0 si no hay ninguno.",
        "p_totals": "Los totales de «{a}» ({na}) y «{b}» ({nb}) no coinciden: cada tabla cuenta una vez a cada persona afectada.",
        "p_above_total": "{cell}: mayor que el número de personas afectadas ({n}).",
        "p_nothing_entered": "Rellene las tablas o marque «No ha ocurrido nada en nuestro centro este trimestre».",
        "p_period": "Elija el trimestre.",
        "school": "Centro",
        "enrolment": "Alumnado matriculado",
        "record_title": "Justificante: recuentos enviados",
        "keys_note": "Sellado con la llave de este centro; cifrado para la llave de la autoridad {fingerprint}.",
    ]
}
