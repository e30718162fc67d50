import Foundation

/// A problem with a counts file, naming the file, the line and the field.
///
/// The message never repeats the offending value: a value in the wrong place may be a name or
/// a raw count, and errors end up in terminals and logs.
public struct IntakeError: Error, LocalizedError, Equatable, Sendable {
    /// The file, as given.
    public var file: String
    /// 1-based line, when the problem sits on one line.
    public var line: Int?
    /// The column (CSV) or key (JSON) at fault.
    public var field: String?
    /// What is wrong, in words; never the offending value.
    public var message: String

    /// Makes the value from its parts.
    public init(file: String, line: Int?, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        var out = file
        if let line { out += ":\(line)" }
        out += ": "
        if let field { out += "field '\(field)': " }
        return out + message
    }
}
