import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicStore

/// What became of one file given to ``Ingestor/ingest(_:progress:)``.
public enum FileFate: Sendable, Equatable {
    /// Stored as the school's first submission for the quarter.
    case stored
    /// Stored as a correction; the earlier submission stays in the history.
    case corrected
    /// Identical to the school's current submission: nothing changed.
    case unchanged
    /// Valid, but the store refused it (for example a stale repeat), with the reason.
    case refused(String)
    /// Invalid: nothing from the file was stored.
    case invalid(IntakeError)

    /// True when the file did not make it in (invalid or refused).
    public var isFailure: Bool {
        switch self {
        case .refused, .invalid: return true
        default: return false
        }
    }
}

/// The fate of one file.
public struct FileResult: Sendable, Equatable {
    /// The file, as given.
    public var file: String
    /// What became of the file.
    public var fate: FileFate
    /// The quarter and school the file is for, when it could be read.
    public var period: String?
    /// The school's id in the registry.
    public var schoolID: String?

    /// Makes the value from its parts.
    public init(file: String, fate: FileFate, period: String? = nil, schoolID: String? = nil) {
        self.file = file
        self.fate = fate
        self.period = period
        self.schoolID = schoolID
    }
}

/// Totals over the files of one ingest run.
public struct IngestSummary: Sendable, Equatable {
    /// Each file's fate, in the order given.
    public var results: [FileResult] = []
    /// Cells (CSV data rows) read from the valid files.
    public var cellsRead = 0

    /// Files stored as first submissions.
    public var stored: Int { results.filter { $0.fate == .stored }.count }
    /// Files stored as corrections.
    public var corrected: Int { results.filter { $0.fate == .corrected }.count }
    /// Files identical to the current submission.
    public var unchanged: Int { results.filter { $0.fate == .unchanged }.count }
    /// Files not stored (invalid or refused).
    public var failed: Int { results.filter { $0.fate.isFailure }.count }
}

/// Validates counts files and stores the valid ones.
///
/// Files are read and checked in parallel, then written in batches: one transaction per batch,
/// one savepoint per file, so that nothing from an invalid or refused file is stored and a
/// crash never leaves half a file behind. Files are applied in the order given, so a later file
/// for the same school and quarter is a correction of an earlier one.
public struct Ingestor: Sendable {
    /// The store.
    public let store: Store
    /// Files per write transaction.
    public var batchSize = 512
    /// The present, to refuse periods in the future.
    public var now = Date()
    /// Opens sealed packages; without one, packages are rejected.
    public var opener: PackageOpener?
    /// Accept plain (unsealed) counts files. The command line sets this only with `--unsealed`.
    public var allowUnsealed = true

    /// Works on `store`.
    public init(store: Store) { self.store = store }

    /// Ingests files.
    ///
    /// - Parameters:
    ///   - paths: counts files (CSV or JSON).
    ///   - progress: called after each batch with (files done, files in all).
    public func ingest(_ paths: [String], progress: ((Int, Int) -> Void)? = nil) throws -> IngestSummary {
        let check = try RegistryCheck(store: store)
        var summary = IngestSummary()
        summary.results.reserveCapacity(paths.count)
        var done = 0
        for start in stride(from: 0, to: paths.count, by: batchSize) {
            let batch = Array(paths[start..<min(start + batchSize, paths.count)])
            let parsed = Ingestor.validate(batch, check: check, now: now, opener: opener, allowUnsealed: allowUnsealed)
            var incoming: [IncomingSubmission] = []
            var slot: [Int] = []
            for (i, r) in parsed.enumerated() {
                if case .success(let p) = r {
                    slot.append(i)
                    incoming.append(
                        IncomingSubmission(
                            submission: p.submission, sourceName: String(batch[i].split(separator: "/").last ?? ""),
                            sourceFormat: p.origin == nil ? p.format : "sealed", sealed: p.origin != nil,
                            keyFingerprint: p.origin?.keyFingerprint, sealedAt: p.origin?.sealedAt, packageDigest: p.origin?.packageDigest))
                    summary.cellsRead += p.submission.counts.count
                }
            }
            let outcomes = try store.record(incoming, at: now)
            var fates = parsed.map { r -> FileFate in
                if case .failure(let e) = r { return .invalid(e) }
                return .unchanged
            }
            for (k, outcome) in zip(slot, outcomes) {
                switch outcome {
                case .stored: fates[k] = .stored
                case .corrected: fates[k] = .corrected
                case .unchanged: fates[k] = .unchanged
                case .refused(let why): fates[k] = .refused(why)
                }
            }
            for (i, fate) in fates.enumerated() {
                var submission: Submission?
                if case .success(let p) = parsed[i] { submission = p.submission }
                summary.results.append(
                    FileResult(file: batch[i], fate: fate, period: submission?.period.description, schoolID: submission?.schoolID))
            }
            done += batch.count
            progress?(done, paths.count)
        }
        return summary
    }

    /// Reads and checks files in parallel, without touching the store.
    public static func validate(
        _ paths: [String], check: RegistryCheck?, now: Date, opener: PackageOpener? = nil,
        allowUnsealed: Bool = true
    ) -> [Result<ParsedCounts, IntakeError>] {
        let results = ResultBox(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            results.set(i, validateOne(paths[i], check: check, now: now, opener: opener, allowUnsealed: allowUnsealed))
        }
        return results.values.map { $0! }
    }

    /// Reads and checks one file.
    public static func validateOne(
        _ path: String, check: RegistryCheck?, now: Date, opener: PackageOpener? = nil,
        allowUnsealed: Bool = true
    ) -> Result<ParsedCounts, IntakeError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(IntakeError(file: path, line: nil, message: "cannot be read (missing, a folder, or not permitted)"))
        }
        do {
            var bytes = Array(data)
            var origin: SealedOrigin?
            if bytes.starts(with: PackageMagic.bytes) {
                guard let opener else {
                    throw IntakeError(file: path, line: nil, message: "a sealed package, but no authority key was given to open it")
                }
                let opened = try opener.open(bytes, file: path)
                bytes = opened.content
                origin = opened.origin
            } else if !allowUnsealed {
                throw IntakeError(
                    file: path, line: nil,
                    message: "not a sealed package; plain counts files are accepted only with --unsealed (for trusted local use)")
            }
            var parsed = try CountsFile.parse(bytes, file: path, now: now)
            if let origin {
                guard parsed.submission.schoolID == origin.schoolID else {
                    throw IntakeError(
                        file: path, line: nil, field: "school_id", message: "the counts inside name another school than the signed package")
                }
                parsed.origin = origin
            }
            try check?.check(parsed, file: path)
            return .success(parsed)
        } catch let e as IntakeError {
            return .failure(e)
        } catch {
            return .failure(IntakeError(file: path, line: nil, message: "cannot be checked"))
        }
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    var values: [Result<ParsedCounts, IntakeError>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: Result<ParsedCounts, IntakeError>) {
        lock.lock()
        values[i] = v
        lock.unlock()
    }
}
