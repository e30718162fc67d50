import MosaicCodebook

/// The release parameters every tool needs, parsed once from the `metadata` table.
///
/// ```swift
/// let data = try ReleaseReader.read("r-2026-Q3.sqlite")
/// let info = try ReleaseMetadata(data, file: "r-2026-Q3.sqlite")
/// print(info.period, info.k)
/// ```
public struct ReleaseMetadata: Sendable, Equatable {
    /// For example `2026-Q3-R1`.
    public var releaseID: String
    /// The quarter the release covers (the last one of a pooled release).
    public var period: Period
    /// The quarters the release covers: one, or several pooled (`2025-Q4..2026-Q3`).
    public var span: PeriodSpan
    /// The codebook version of its tables.
    public var codebookVersion: Int
    /// Published values from 1 to k − 1 are suppressed.
    public var k: Int
    /// Units with fewer registered schools are not published on their own.
    public var minimumSchools: Int
    /// Units or parts with fewer reporting schools are not published on their own (the
    /// quarter's, fixed by the store's policy when it was first released; the highest when a
    /// pooled release covers quarters with different ones; ``minimumSchools`` in older files).
    public var reportingMinimumSchools: Int
    /// ρ and ε as the release states them (text, for display).
    public var rho: String
    /// ε at δ = 10⁻⁶, as the release states it.
    public var epsilon: String
    /// ρ as a number: above 0 and at most ``maxRho`` (checked when the file is read).
    public var rhoValue: Double
    /// The largest ρ a release may state (what `release create` accepts).
    public static let maxRho = 1000.0

    /// Parses the metadata of `data`.
    ///
    /// - Throws: ``ReleaseFileError/invalidFile(_:table:column:why:)`` naming the key at fault.
    public init(_ data: ReleaseData, file: String) throws {
        func fail(_ key: String, _ why: String) -> ReleaseFileError {
            .invalidFile(file, table: "metadata", column: "value", why: "key \(key): \(why)")
        }
        guard let id = data.metadata("release_id"), (1...60).contains(id.utf8.count),
            id.utf8.allSatisfy({
                (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 46 || $0 == 95
            })
        else { throw fail("release_id", "expected 1 to 60 letters, digits, '.', '-' or '_'") }
        guard let span = data.metadata("period").flatMap({ PeriodSpan($0) }) else {
            throw fail("period", "expected a quarter YYYY-Qn, or quarters pooled YYYY-Qn..YYYY-Qn")
        }
        guard let version = data.metadata("codebook_version").flatMap({ Int($0) }), (1...1_000_000).contains(version) else {
            throw fail("codebook_version", "expected a whole number from 1")
        }
        guard (try? Codebook.bundled(version: version)) != nil else {
            throw fail(
                "codebook_version",
                "codebook version \(version) is not known to this build (known: \(Codebook.availableVersions.map(String.init).joined(separator: ", "))); a newer Mosaic reads it"
            )
        }
        guard let k = data.metadata("k").flatMap({ Int($0) }), (1...1000).contains(k) else { throw fail("k", "expected 1 to 1000") }
        guard let m = data.metadata("min_schools").flatMap({ Int($0) }), (1...1_000_000).contains(m) else {
            throw fail("min_schools", "expected a whole number of 1 or more")
        }
        self.releaseID = id
        self.period = span.last
        self.span = span
        self.codebookVersion = version
        self.k = k
        self.minimumSchools = m
        // "5", or per quarter "2025-Q4=5; 2026-Q1=5": each a whole number in range.
        if let text = data.metadata("reporting_min_schools") {
            let values = text.split(separator: ";").map { part in
                Int((part.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespaces))
            }
            guard !values.isEmpty, values.allSatisfy({ $0.map { (1...1_000_000).contains($0) } ?? false }) else {
                throw fail("reporting_min_schools", "expected a whole number of 1 or more (or one per quarter)")
            }
            self.reportingMinimumSchools = values.compactMap { $0 }.max() ?? m
        } else {
            self.reportingMinimumSchools = m
        }
        // Numbers from a file are data: a plain decimal in range, or a refusal naming the key.
        guard let rhoText = data.metadata("rho"), let rho = Self.decimal(rhoText), rho > 0, rho <= Self.maxRho else {
            throw fail("rho", "expected a decimal number above 0 and at most \(Int(Self.maxRho))")
        }
        guard let epsilonText = data.metadata("epsilon"), let epsilon = Self.decimal(epsilonText), epsilon > 0, epsilon <= 1_000_000 else {
            throw fail("epsilon", "expected a decimal number above 0 and at most 1000000")
        }
        self.rho = rhoText
        self.rhoValue = rho
        self.epsilon = epsilonText
    }

    /// A plain decimal (digits, at most one point, at most 12 digits after it), or nil: no sign,
    /// exponent, `inf` or `nan`.
    static func decimal(_ text: String) -> Double? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), text.utf8.count <= 24,
            parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }), parts.count == 1 || parts[1].count <= 12
        else { return nil }
        return Double(text)
    }
}
