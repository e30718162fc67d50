/// Markdown text from values that came from outside (place names, metadata): what Markdown or
/// HTML would read as markup is escaped, so a name like `<script>` or `[x](javascript:…)` stays text.
public enum Markdown {
    /// Escapes Markdown and HTML markup characters, and turns line breaks into spaces.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "#", "!", "{", "}", "~": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }
}
