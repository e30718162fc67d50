/// The problems found in one file, in file order: the first ``IntakeError/kept`` kept, the rest
/// counted.
struct ProblemList {
    private(set) var problems: [IntakeError] = []
    private(set) var unlisted = 0

    var isEmpty: Bool { problems.isEmpty }

    mutating func add(_ e: IntakeError) {
        if problems.count < IntakeError.kept { problems.append(e) } else { unlisted += 1 }
    }

    /// Removes the problems `drop` selects (to replace them with one that says more).
    mutating func remove(where drop: (IntakeError) -> Bool) { problems.removeAll(where: drop) }

    /// Every problem as one error (with `last` after them, when a fatal problem ends the reading).
    func combined(with last: IntakeError? = nil) -> IntakeError? {
        IntakeError(problems: problems + (last.map { [$0] } ?? []), unlisted: unlisted)
    }

    func throwIfAny() throws {
        if let e = combined() { throw e }
    }
}
