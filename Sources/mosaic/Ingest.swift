import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicIntake
import MosaicKeyring
import MosaicRelease
import MosaicSeal
import MosaicStore

extension Mosaic {
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate counts files and store the valid ones.",
            discussion: """
                Sealed packages are decrypted with the authority key and verified against the school's registered key. \
                A later file for the same school and quarter is a correction: it supersedes the earlier one, \
                which stays in the history. The same counts twice change nothing. Exits 1 if any file was not stored.
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var key: AuthorityKeyOptions
        @Argument(
            help:
                "Sealed packages, or with --unsealed plain counts files (CSV or JSON); folders of them, or tar archives of them (each file inside is checked and stored on its own)."
        ) var files: [String]
        @Flag(help: "Also accept plain, unsealed counts files (for trusted local use only).") var unsealed = false
        @Flag(help: "List every file's fate, not only the failures.") var verbose = false
        @OptionGroup var words: LanguageOption

        func run() throws {
            let paths = expandCountsFiles(files)
            guard !paths.isEmpty else {
                throw Refusal(
                    "no counts files or packages found in \(files.joined(separator: ", ")) (.mpkg, .csv, .json, or .tar archives of them)")
            }
            let db = try store.open()
            let progress = Progress(label: "ingesting")
            let started = Date()
            var ingestor = Ingestor(store: db)
            ingestor.allowUnsealed = unsealed
            if FileManager.default.fileExists(atPath: key.path) {
                ingestor.opener = try PackageVerifier(authority: AuthorityKey.read(from: key.path), store: db)
            }
            // Quarters that already have a release: what is stored for them now is a late correction.
            var released: [String: [String]] = [:]
            for r in try Releaser(store: db).list() { released[r.period, default: []].append(r.id) }
            // Keep what is printed: failures, late files, and with --verbose (or a short run) every file.
            let releasedPeriods = Set(released.keys)
            let verbose = self.verbose
            let shortRun = FirstFew(limit: 21)
            ingestor.keep = { r in
                verbose || shortRun.take() || r.fate.isFailure
                    || ([.stored, .corrected].contains(r.fate) && r.period.map(releasedPeriods.contains) == true)
            }
            let summary = try ingestor.ingest(paths, progress: progress.update)
            progress.finish()
            let elapsed = Date().timeIntervalSince(started)
            // Files, archives' members included (an archive that could not be read counts as one).
            let listed = summary.files
            let archives = paths.filter(Ingestor.isArchive).count
            for r in summary.results {
                switch r.fate {
                case .invalid(let e): print(words("rejected", ["message": e.description(language: words.lang)]))
                case .refused(let why): print("refused: \(r.file): \(why)")
                case .unchanged:
                    if verbose || listed <= 20 {
                        print("unchanged: \(r.file): identical to the school's current submission; nothing changed")
                    }
                case .stored where r.period.flatMap({ released[$0] }) != nil, .corrected where r.period.flatMap({ released[$0] }) != nil:
                    let period = r.period ?? ""
                    let ids = released[period] ?? []
                    // The quarter's first release fixed which schools its releases count.
                    let counted = try r.schoolID.flatMap { id in try Period(period).flatMap { try db.isCounted(school: id, period: $0) } }
                    let reach =
                        counted == false
                        ? "it reaches none of the quarter's releases (its first release fixed which schools they count); it is kept in the history"
                        : "it will appear in the quarter's next release, not in those made"
                    print(
                        "late: \(r.file) (school \(r.schoolID ?? "?")): \(period) already has release\(ids.count == 1 ? "" : "s") \(ids.joined(separator: ", ")); \(reach)"
                    )
                case .stored: if verbose || listed <= 20 { print("stored: \(r.file)") }
                case .corrected:
                    if verbose || listed <= 20 {
                        print("corrected: \(r.file): supersedes the earlier submission (kept in the history)")
                    }
                }
            }
            print(
                String(
                    format: "%d file%@%@: %d stored, %d corrections, %d unchanged, %d not stored (%.1f s).",
                    listed, listed == 1 ? "" : "s", archives == 0 ? "" : " (read from \(archives) archive\(archives == 1 ? "" : "s"))",
                    summary.stored, summary.corrected, summary.unchanged, summary.failed, elapsed)
            )
            if summary.failed > 0 { throw ExitCode(1) }
        }
    }
}

/// Says yes the first `limit` times (thread-safe): a run of few files prints every one of them.
final class FirstFew: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int

    init(limit: Int) { left = limit }

    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard left > 0 else { return false }
        left -= 1
        return true
    }
}
