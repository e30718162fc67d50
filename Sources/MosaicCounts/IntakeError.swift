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
    /// The file's further problems, in file order (this one is the first). At most
    /// ``IntakeError/kept`` are kept; ``unlisted`` counts the rest.
    public var others: [IntakeError] = []
    /// Problems found beyond those kept.
    public var unlisted = 0

    /// How many problems of one file are kept; the rest are only counted.
    public static let kept = 100
    /// How many problems a message lists; it says how many more there are.
    public static let shown = 20

    /// Makes the value from its parts.
    public init(file: String, line: Int?, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// Every problem of a file as one error: the first, with the others attached.
    ///
    /// - Parameter unlisted: problems found beyond those given.
    public init?(problems: [IntakeError], unlisted: Int = 0) {
        guard var first = problems.first else { return nil }
        first.others = Array(problems.dropFirst())
        first.unlisted = unlisted
        self = first
    }

    /// Every problem: this one and the others.
    public var all: [IntakeError] { [self.single] + others }

    /// How many problems the file has.
    public var count: Int { 1 + others.count + unlisted }

    /// This problem without the others.
    public var single: IntakeError { IntakeError(file: file, line: line, field: field, message: message) }

    /// One line: file, line, field and message.
    public var lineDescription: String {
        var out = file
        if let line { out += ":\(line)" }
        out += ": "
        if let field { out += "field '\(field)': " }
        return out + message
    }

    /// A message for people: what went wrong and, where it helps, what to do. Several problems
    /// are listed one per line (at most ``shown``), then how many more there are.
    public var errorDescription: String? {
        if others.isEmpty && unlisted == 0 { return lineDescription }
        let listed = all.prefix(Self.shown).map(\.lineDescription)
        let more = count - listed.count
        return (listed + (more > 0 ? ["\(file): and \(more) more problem\(more == 1 ? "" : "s") (fix these and check again)"] : []))
            .joined(separator: "\n")
    }
}
