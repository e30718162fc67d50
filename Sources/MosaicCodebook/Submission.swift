/// One school's counts for one quarter, as validated from a counts file.
///
/// `counts` covers every cell of the codebook, indexed like ``Codebook/allCells``.
public struct Submission: Sendable, Equatable {
    /// The school's id in the registry.
    public var schoolID: String
    /// The quarter, `YYYY-Qn`.
    public var period: Period
    /// The codebook version the counts follow.
    public var codebookVersion: Int
    /// Counts indexed like `Codebook.allCells` (every cell, zeros included).
    public var counts: [Int]

    /// Makes the value from its parts.
    public init(schoolID: String, period: Period, codebookVersion: Int, counts: [Int]) {
        self.schoolID = schoolID
        self.period = period
        self.codebookVersion = codebookVersion
        self.counts = counts
    }
}
