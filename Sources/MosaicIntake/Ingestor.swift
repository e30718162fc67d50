import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicFiles
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
    /// Each file's fate, in the order given (only those the ingestor's ``Ingestor/keep`` chose;
    /// every file by default). The counts below cover every file either way.
    public var results: [FileResult] = []
    /// Cells (CSV data rows) read from the valid files.
    public var cellsRead = 0

    /// Files stored as first submissions.
    public private(set) var stored = 0
    /// Files stored as corrections.
    public private(set) var corrected = 0
    /// Files identical to the current submission.
    public private(set) var unchanged = 0
    /// Files not stored (invalid or refused).
    public private(set) var failed = 0
    /// Every file counted, kept or not.
    public var files: Int { stored + corrected + unchanged + failed }

    /// An empty summary.
    public init() {}

    /// Counts a file's fate, and keeps it in ``results`` when `keep`.
    public mutating func add(_ r: FileResult, keep: Bool = true) {
        switch r.fate {
        case .stored: stored += 1
        case .corrected: corrected += 1
        case .unchanged: unchanged += 1
        case .refused, .invalid: failed += 1
        }
        if keep { results.append(r) }
    }

    /// Adds another run's files and cells.
    public mutating func merge(_ other: IngestSummary) {
        results += other.results
        cellsRead += other.cellsRead
        stored += other.stored
        corrected += other.corrected
        unchanged += other.unchanged
        failed += other.failed
    }
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
    /// Which files' results the summary keeps (nil: every file's). At national scale a run has
    /// millions of files; the command line keeps the ones it prints.
    public var keep: (@Sendable (FileResult) -> Bool)?

    /// Works on `store`.
    public init(store: Store) { self.store = store }

    /// Ingests files.
    ///
    /// - Parameters:
    ///   - paths: counts files (CSV or JSON), sealed packages, or tar archives of them (`.tar`:
    ///     each counts file or package inside is checked and stored as a file of its own, named
    ///     `ARCHIVE:MEMBER`; a damaged archive is reported as one failure after the members
    ///     before the damage).
    ///   - progress: called after each batch with (files done, files in all).
    public func ingest(_ paths: [String], progress: ((Int, Int) -> Void)? = nil) throws -> IngestSummary {
        let check = try RegistryCheck(store: store)
        // Batches are checked in parallel while the batch before is written to the store (one
        // transaction per batch, on one writer thread, in order).
        let behind = WriteBehind()
        if keep == nil { behind.summary.results.reserveCapacity(paths.count) }
        // The members of archives count towards the progress total (headers only; a damaged
        // archive is reported when it is read).
        var expected = 0
        for path in paths { expected += Ingestor.isArchive(path) ? ((try? TarReader.countMembers(path: path)) ?? 1) : 1 }
        var done = 0
        var pending: [Item] = []
        func process() throws {
            guard !pending.isEmpty else { return }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            let parsed = Ingestor.validate(batch, check: check, now: now, opener: opener, allowUnsealed: allowUnsealed)
            try behind.drain()
            behind.group.enter()
            behind.queue.async { [self] in
                defer { behind.group.leave() }
                do { try self.record(batch, parsed, into: &behind.summary) } catch { behind.error = error }
            }
            done += batch.count
            progress?(done, max(done, expected))
        }
        // A failure that is not a counts file's (a link, a nested archive, an empty archive),
        // reported in order after what came before it.
        func refuse(_ name: String, _ why: String) throws {
            try process()
            try behind.drain()
            behind.summary.add(FileResult(file: name, fate: .invalid(IntakeError(file: name, line: nil, message: why))))
        }
        for path in paths {
            guard Ingestor.isArchive(path) else {
                pending.append(Item(name: path, content: nil))
                if pending.count >= batchSize { try process() }
                continue
            }
            // An archive: its counts files in order, read here (sequentially), checked in parallel.
            var reader: TarReader
            do { reader = try TarReader(path: path, maximumMemberSize: Ingestor.maximumMemberSize) } catch let e as TarError {
                try process()
                try behind.drain()
                behind.summary.add(FileResult(file: path, fate: .invalid(IntakeError(file: path, line: nil, message: e.message))))
                continue
            }
            var members = 0
            var damaged = false
            while true {
                let member: TarReader.Member?
                do { member = try reader.next() } catch let e as TarError {
                    damaged = true
                    try process()
                    try behind.drain()
                    behind.summary.add(
                        FileResult(
                            file: path,
                            fate: .invalid(
                                IntakeError(
                                    file: path, line: nil,
                                    message: "at byte \(e.offset): \(e.message); the members before it were read, the rest were not")))
                    )
                    break
                }
                guard let member else { break }
                let name = path + ":" + member.name
                if member.name.hasSuffix(".tar") {
                    try refuse(name, "an archive inside an archive is not read: add its files to the outer archive")
                    continue
                }
                guard Ingestor.countsSuffixes.contains(where: { member.name.hasSuffix($0) }) else { continue }
                members += 1
                if member.isLink {
                    try refuse(name, "a link inside the archive, not a file: archive the file itself (tar --hard-dereference)")
                    continue
                }
                pending.append(Item(name: name, content: member.content ?? []))
                if member.content == nil { pending[pending.count - 1].tooLarge = true }
                if pending.count >= batchSize { try process() }
            }
            if members == 0 && !damaged {
                try refuse(path, "holds no counts files or packages (.csv, .json or .mpkg members)")
            }
        }
        try process()
        try behind.drain()
        return behind.summary
    }

    /// The endings of counts files and packages, in folders and in archives.
    public static let countsSuffixes = [".csv", ".json", ".mpkg"]

    /// Whether a path is a tar archive of counts files (read member by member).
    public static func isArchive(_ path: String) -> Bool { path.hasSuffix(".tar") }

    /// The largest archive member read as a counts file (a counts file is a few kilobytes).
    public static let maximumMemberSize = 1 << 20

    /// A file to check: a path (read when checked), or an archive member's bytes.
    struct Item {
        var name: String
        var content: [UInt8]?
        var tooLarge = false
    }

    /// Stores a checked batch (one transaction) and notes every file's fate.
    func record(_ batch: [Item], _ parsed: [Result<ParsedCounts, IntakeError>], into summary: inout IngestSummary) throws {
        var incoming: [IncomingSubmission] = []
        var slot: [Int] = []
        for (i, r) in parsed.enumerated() {
            if case .success(let p) = r {
                slot.append(i)
                incoming.append(
                    IncomingSubmission(
                        submission: p.submission, sourceName: String(batch[i].name.split(separator: "/").last ?? ""),
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
            let result = FileResult(file: batch[i].name, fate: fate, period: submission?.period.description, schoolID: submission?.schoolID)
            summary.add(result, keep: keep?(result) ?? true)
        }
    }

    /// Reads and checks files in parallel (format, codebook, registry rules); stores nothing.
    /// One result per path, in order.
    public static func validate(
        _ paths: [String], check: RegistryCheck?, now: Date, opener: PackageOpener? = nil,
        allowUnsealed: Bool = true
    ) -> [Result<ParsedCounts, IntakeError>] {
        validate(paths.map { Item(name: $0, content: nil) }, check: check, now: now, opener: opener, allowUnsealed: allowUnsealed)
    }

    static func validate(
        _ items: [Item], check: RegistryCheck?, now: Date, opener: PackageOpener?, allowUnsealed: Bool
    ) -> [Result<ParsedCounts, IntakeError>] {
        let results = ResultBox(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            let item = items[i]
            if item.tooLarge {
                results.set(
                    i,
                    .failure(
                        IntakeError(
                            file: item.name, line: nil,
                            message: "larger than \(maximumMemberSize / 1024) KB: not a counts file (a counts file is a few kilobytes)")))
            } else if let bytes = item.content {
                results.set(
                    i, validateContent(bytes, file: item.name, check: check, now: now, opener: opener, allowUnsealed: allowUnsealed))
            } else {
                results.set(i, validateOne(item.name, check: check, now: now, opener: opener, allowUnsealed: allowUnsealed))
            }
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
        return validateContent(Array(data), file: path, check: check, now: now, opener: opener, allowUnsealed: allowUnsealed)
    }

    /// ``validateOne(_:check:now:opener:allowUnsealed:)`` for bytes already read (an archive's member).
    public static func validateContent(
        _ content: [UInt8], file path: String, check: RegistryCheck?, now: Date, opener: PackageOpener? = nil,
        allowUnsealed: Bool = true
    ) -> Result<ParsedCounts, IntakeError> {
        do {
            var bytes = content
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

/// The write side of ingest: a serial queue writing one batch at a time, the summary it fills,
/// and the first error. The reading side waits for the previous write (``drain()``) before it
/// hands over the next batch or touches the summary, so only one thread uses them at a time.
private final class WriteBehind: @unchecked Sendable {
    let queue = DispatchQueue(label: "mosaic.ingest.store")
    let group = DispatchGroup()
    var summary = IngestSummary()
    var error: Error?

    /// Waits for the write in flight; rethrows its error.
    func drain() throws {
        group.wait()
        if let error { throw error }
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
