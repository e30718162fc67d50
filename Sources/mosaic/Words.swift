import ArgumentParser

/// The language of the messages of the commands schools run (`validate`, `seal`, `template`)
/// and of `ingest`'s per-file lines: English or Spanish.
struct LanguageOption: ParsableArguments {
    @Option(help: "The language of the messages: en or es.") var lang: String = "en"

    func validate() throws {
        guard ["en", "es"].contains(lang) else { throw ValidationError("--lang must be en or es") }
    }

    /// The sentence `key` in the chosen language, `{name}` replaced by `args[name]`.
    func callAsFunction(_ key: String, _ args: [String: String] = [:]) -> String {
        var text = (lang == "es" ? Words.es[key] : nil) ?? Words.en[key] ?? key
        for (k, v) in args { text = text.replacingOccurrences(of: "{\(k)}", with: v) }
        return text
    }
}

/// The command-line sentences around intake's messages, keyed like the language files.
enum Words {
    static let en: [String: String] = [
        "valid": "{file}: valid",
        "summary_validate": "{ok} of {n} files valid{note}.",
        "summary_validate_one": "{ok} of 1 file valid{note}.",
        "no_registry": " (no registry checks: no store given)",
        "rejected": "rejected: {message}",
        "sealed": "Sealed {file} into {out} ({bytes} bytes). Hand it to your authority on any medium.",
    ]
    static let es: [String: String] = [
        "valid": "{file}: válido",
        "summary_validate": "{ok} de {n} archivos válidos{note}.",
        "summary_validate_one": "{ok} de 1 archivo válido{note}.",
        "no_registry": " (sin comprobar el registro: no se indicó almacén)",
        "rejected": "rechazado: {message}",
        "sealed": "Se ha sellado {file} en {out} ({bytes} bytes). Entréguelo a su autoridad por cualquier medio.",
    ]
}
