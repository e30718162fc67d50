import MosaicCodebook
import MosaicCounts
import MosaicStore

/// Checks a parsed counts file against the authority's registry as of the file's quarter: the
/// school must be registered and open then (a late file of a school closed since is read with the
/// facts of its quarter), and no count, nor the number of affected persons, may exceed the
/// school's enrolment then.
public struct RegistryCheck: Sendable {
    /// Per school id, its facts from each quarter they hold (`YYYY-Qn`, ascending).
    let history: [String: [(from: String, facts: SchoolFacts)]]

    /// Checks against these registry facts (school id → enrolment and open state), for every quarter.
    public init(facts: [String: SchoolFacts]) { history = facts.mapValues { [(Store.beginning, $0)] } }

    /// Loads the registry's history from a store.
    public init(store: Store) throws { history = try store.schoolFactsHistory() }

    /// A school's facts as of a quarter (nil: not registered then).
    public func facts(_ school: String, asOf period: Period) -> SchoolFacts? {
        history[school]?.last { $0.from <= period.description }?.facts
    }

    /// - Throws: ``IntakeError`` naming the file, line and field.
    public func check(_ parsed: ParsedCounts, file: String) throws {
        let field = "school_id"
        guard let school = facts(parsed.submission.schoolID, asOf: parsed.submission.period) else {
            throw IntakeError(
                file: file, line: parsed.schoolLine, field: field,
                message: "unknown school: the id is not in the registry (as of the file's quarter)")
        }
        guard school.isOpen else {
            throw IntakeError(
                file: file, line: parsed.schoolLine, field: field,
                message: "the school is marked closed in the registry as of the file's quarter")
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
