/// One school's counts for one quarter, as validated from a counts file.
///
/// `counts` covers every cell of the codebook, indexed like ``Codebook/allCells``.
public struct Submission: Sendable, Equatable {
    public var schoolID: String
    public var period: Period
    public var codebookVersion: Int
    public var counts: [Int]

    public init(schoolID: String, period: Period, codebookVersion: Int, counts: [Int]) {
        self.schoolID = schoolID
        self.period = period
        self.codebookVersion = codebookVersion
        self.counts = counts
    }
}
