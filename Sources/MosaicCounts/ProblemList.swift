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

    /// Every problem as one error; nil when there is none.
    func combined() -> IntakeError? { IntakeError(problems: problems, unlisted: unlisted) }

    /// Every problem as one error, `last` after them: a fatal problem that ends the reading.
    func ending(with last: IntakeError) -> IntakeError {
        var all = problems + [last]
        let first = all.removeFirst()
        var e = first
        e.others = all
        e.unlisted = unlisted
        return e
    }

    func throwIfAny() throws {
        if let e = combined() { throw e }
    }
}
