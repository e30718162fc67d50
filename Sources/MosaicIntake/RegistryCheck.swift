import MosaicCodebook
import MosaicCounts
import MosaicStore

/// Checks a parsed counts file against the authority's registry: the school must be registered
/// and open, and no count, nor the number of affected persons, may exceed the school's enrolment.
public struct RegistryCheck: Sendable {
    /// Registry facts per school id.
    public let facts: [String: SchoolFacts]

    /// Checks against these registry facts (school id → enrolment and open state).
    public init(facts: [String: SchoolFacts]) { self.facts = facts }

    /// Loads the registry facts from a store.
    public init(store: Store) throws { self.facts = try store.schoolFacts() }

    /// - Throws: ``IntakeError`` naming the file, line and field.
    public func check(_ parsed: ParsedCounts, file: String) throws {
        let field = "school_id"
        guard let school = facts[parsed.submission.schoolID] else {
            throw IntakeError(file: file, line: parsed.schoolLine, field: field, message: "unknown school: the id is not in the registry")
        }
        guard school.isOpen else {
            throw IntakeError(file: file, line: parsed.schoolLine, field: field, message: "the school is marked closed in the registry")
        }
        var problems: [IntakeError] = []
        var unlisted = 0
        let codebook = try Codebook.bundled(version: parsed.submission.codebookVersion)
        for (i, c) in parsed.submission.counts.enumerated() where c > school.enrolment {
            let cell = codebook.allCells[i]
            guard problems.count < IntakeError.kept else {
                unlisted += 1
                continue
            }
            problems.append(
                IntakeError(
                    file: file, line: parsed.cellLines[i], field: parsed.format == "csv" ? "count" : cell.table,
                    message: "the count for \(cell.table)/\(cell.code) is absurdly large: above the school's registered enrolment"))
        }
        // The affected persons, counted once each by the first table of the rule, are people of
        // the school: more of them than its registered pupils is a typing error.
        if let first = codebook.rules.equalTotals.first, problems.isEmpty,
            codebook.total(of: first, in: parsed.submission.counts) > school.enrolment
        {
            problems.append(
                IntakeError(
                    file: file, line: codebook.table(first)?.cells.map { parsed.cellLines[$0.index] }.filter { $0 > 0 }.min(),
                    field: parsed.format == "csv" ? "count" : first,
                    message:
                        "the number of affected persons (table '\(first)') is above the school's registered enrolment; check for a typing error"
                ))
        }
        if let e = IntakeError(problems: problems, unlisted: unlisted) { throw e }
    }
}
