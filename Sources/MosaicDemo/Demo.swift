import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicIntake
import MosaicKeyring
import MosaicPrivacy
import MosaicQuery
import MosaicRegistry
import MosaicRelease
import MosaicReleaseFile
import MosaicReporting
import MosaicSeal
import MosaicStore
import MosaicSynth

/// The end-to-end demonstration on synthetic data: what `mosaic demo` runs.
///
/// It makes a synthetic country, creates a store, imports the registry, ingests every counts
/// file, shows a correction, a repeated file and a rejected file, writes the status of the
/// latest quarter, and makes one protected release per quarter. Each later capability
/// (reports, queries) adds its step here.
public struct Demo {
    /// The folder everything is written into.
    public var folder: String
    /// What to make: size, quarters, seed.
    public var config = SynthConfig()
    /// Bootstrap replicates stored with each release (for margins of sums).
    public var replicates = 100
    /// Prints one line of the demo's narrative.
    public var say: (String) -> Void = { print($0) }
    /// Shows progress of long steps: (label, done, total).
    public var progress: (String, Int, Int) -> Void = { _, _, _ in }

    /// The marker that identifies a folder as the demo's own, so that a rerun may replace it.
    public static let marker = ".mosaic-demo"

    /// A demo that writes into `folder` (empty, or its own earlier output).
    public init(folder: String) { self.folder = folder }

    /// What the demo made, for tests and for the closing summary.
    public struct Outcome {
        /// The store's path.
        public var storePath: String
        /// The schools.
        public var schools: Int
        /// The files written.
        public var files: Int
        /// The ingest run's summary.
        public var ingest: IngestSummary
        /// What became of the demo's correction file.
        public var correction: FileFate
        /// What became of the demo's repeated file.
        public var repeat_: FileFate
        /// What became of the demo's mistaken file.
        public var rejected: FileFate
        /// Submission status of the latest quarter, per region.
        public var latestStatus: [RegionStatus]
        /// The release ids made.
        public var releases: [String]
        /// What became of the demo's altered package.
        public var tampered: FileFate
    }

    /// Runs the demo. Replaces the folder if it holds an earlier demo; refuses any other non-empty folder.
    @discardableResult
    public func run() throws -> Outcome {
        try prepareFolder()
        let codebook = try Codebook.bundled()
        let (country, files) = try makeCountry(codebook: codebook)
        let store = try makeStore(files: files)
        var ingestor = Ingestor(store: store)
        ingestor.now = Date()
        var summary = try ingestEarlierQuarters(files: files, ingestor: ingestor)
        let (sealed, tampered) = try receiveLatestQuarterSealed(country: country, files: files, store: store, ingestor: ingestor)
        summary.merge(sealed)
        let fates = try showCorrections(country: country, codebook: codebook, store: store, ingestor: ingestor)
        let latest = try latestPeriod()
        let status = try store.status(period: latest)
        let reg = status.reduce(0) { $0 + $1.registered }
        let sub = status.reduce(0) { $0 + $1.submitted }
        say(
            "8. Status for \(latest): \(sub) of \(reg) open schools submitted; \(reg - sub) missing (see 'mosaic status --period \(latest) --store \(store.path)')."
        )
        let releases = try makeReleases(store: store)
        let pooled = try makePooledRelease(store: store)
        try showBudgetAndQuery(store: store, releases: releases)
        try writeReports(country: country, releases: releases + (pooled.map { [$0] } ?? []))
        return Outcome(
            storePath: store.path, schools: country.schools.count, files: files.allCounts.count, ingest: summary,
            correction: fates.correction, repeat_: fates.again, rejected: fates.rejected, latestStatus: status, releases: releases,
            tampered: tampered)
    }

    /// Empties the demo's own folder (never another one) and marks it as the demo's.
    private func prepareFolder() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder) {
            let contents = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
            guard contents.isEmpty || contents.contains(Demo.marker) else {
                throw DemoError.folderInUse(folder)
            }
            try fm.removeItem(atPath: folder)
        }
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = fm.createFile(
            atPath: path(Demo.marker), contents: Data("made by mosaic demo; the whole folder is replaced on the next run\n".utf8))
    }

    private func latestPeriod() throws -> Period {
        guard let latest = config.periods.last else { throw DemoError.noQuarters }
        return latest
    }

    /// Step 1: the synthetic country and its files.
    private func makeCountry(codebook: Codebook) throws -> (SyntheticCountry, SyntheticFiles) {
        let periods = config.periods
        let span = "\(periods.count) quarters \(periods.first?.description ?? "")...\(periods.last?.description ?? "")"
        switch config.layout {
        case .country:
            say("1. Synthetic country: Spain's 17 regions and 50 provinces, \(config.schools) schools (approx.), \(span).")
        case .authority:
            say(
                "1. Synthetic regional authority: 300 schools in 3 districts (as regions) and 9 zones (as provinces) of 3 to 90 schools, about 50 affected persons a quarter, \(span)."
            )
        }
        let country = try SyntheticCountry(config: config, codebook: codebook)
        let files = try country.write(to: path("input"), labels: true) { progress("writing counts files", $0, $1) }
        say(
            "   Wrote \(files.registry) (\(country.schools.count) schools) and \(files.allCounts.count) counts files under \(path("input/counts"))."
        )
        if let h = country.hotspot {
            say("   Planted one local cluster (\(h.victims) victims at one school in \(h.period)), as in Almendralejo (2023).")
        }
        return (country, files)
    }

    /// Step 2: the store and its registry.
    private func makeStore(files: SyntheticFiles) throws -> Store {
        let storePath = path("mosaic.sqlite")
        let store = try Store.create(at: storePath)
        guard let bytes = FileManager.default.contents(atPath: files.registry) else { throw DemoError.unreadable(files.registry) }
        let registry = try RegistryFile.parse(Array(bytes), file: files.registry)
        let imported = try store.importRegistry(registry, source: "registry.csv")
        say("2. Created the store \(storePath) (mode 0600) and imported the registry: \(imported.added) schools.")
        return store
    }

    /// Step 3: the earlier quarters as a trusted local import.
    private func ingestEarlierQuarters(files: SyntheticFiles, ingestor: Ingestor) throws -> IngestSummary {
        let started = Date()
        let earlier = config.periods.dropLast().flatMap { files.counts[$0] ?? [] }
        let summary = try ingestor.ingest(earlier) { progress("ingesting", $0, $1) }
        let seconds = Date().timeIntervalSince(started)
        say(
            String(
                format:
                    "3. Ingested %d files of earlier quarters (%d cells) in %.1f s as a trusted local import (--unsealed): %d stored, %d not stored.",
                earlier.count, summary.cellsRead, seconds, summary.stored, summary.failed))
        return summary
    }

    /// Step 4: the latest quarter arrives sealed: the authority's key, a credential per school, a
    /// package per school, verified at ingest; and one altered package, refused.
    private func receiveLatestQuarterSealed(country: SyntheticCountry, files: SyntheticFiles, store: Store, ingestor: Ingestor) throws -> (
        IngestSummary, FileFate
    ) {
        let fm = FileManager.default
        let latest = try latestPeriod()
        try fm.createDirectory(atPath: path("authority"), withIntermediateDirectories: true)
        // The same all-or-none path as 'mosaic keys init'.
        let authority = try CredentialIssuer.createAuthorityKey(at: path("authority/mosaic-authority.key"), store: store)
        var credentials: [String: Credentials] = [:]
        for school in country.schools {
            let c = Credentials(schoolID: school.id, authorityPublicKey: authority.publicKey)
            try store.registerKey(school: school.id, publicKey: c.publicKey, fingerprint: c.fingerprint, origin: "issued")
            credentials[school.id] = c
        }
        let packageFolder = path("input/packages/\(latest)")
        try fm.createDirectory(atPath: packageFolder, withIntermediateDirectories: true)
        var packages: [String] = []
        let latestFiles = files.counts[latest] ?? []
        for (i, file) in latestFiles.enumerated() {
            let school = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            guard let creds = credentials[school], let bytes = fm.contents(atPath: file) else { throw DemoError.unreadable(file) }
            let sealed = try SealedPackage.seal(Array(bytes), file: file, credentials: creds)
            let name = (packageFolder as NSString).appendingPathComponent("mosaic-\(UUID().uuidString.prefix(8).lowercased()).mpkg")
            try sealed.write(to: URL(fileURLWithPath: name))
            packages.append(name)
            if i % 500 == 0 { progress("sealing", i, latestFiles.count) }
        }
        var verifying = ingestor
        verifying.allowUnsealed = false
        verifying.opener = try PackageVerifier(authority: authority, store: store)
        let sealedSummary = try verifying.ingest(packages) { progress("verifying", $0, $1) }
        say(
            "4. \(latest) arrived sealed: an authority key, credentials for \(credentials.count) schools, \(packages.count) packages of \(SealedPackage.packageSize) bytes each with random names; \(sealedSummary.stored) verified and stored, \(sealedSummary.failed) refused."
        )
        guard let first = packages.first else { return (sealedSummary, .refused("no package")) }
        var tampered = try Data(contentsOf: URL(fileURLWithPath: first))
        tampered[tampered.count / 2] ^= 0x01
        let tamperedPath = path("input/tampered.mpkg")
        try tampered.write(to: URL(fileURLWithPath: tamperedPath))
        let tamperedFate = try verifying.ingest([tamperedPath]).results[0].fate
        say("   A package with one byte changed: \(describe(tamperedFate)).")
        return (sealedSummary, tamperedFate)
    }

    /// Steps 5 to 7: a correction, the same file again, and a file whose tables disagree.
    private func showCorrections(country: SyntheticCountry, codebook: Codebook, store: Store, ingestor: Ingestor) throws -> (
        correction: FileFate, again: FileFate, rejected: FileFate
    ) {
        // The cluster's school finds two more victims and sends its file again.
        let latest = try latestPeriod()
        let target = country.hotspot.map { ($0.schoolID, $0.period) } ?? (country.schools[0].id, latest)
        let original =
            country.submissions(for: target.1).first { $0.schoolID == target.0 }
            ?? Submission(
                schoolID: target.0, period: target.1, codebookVersion: codebook.version,
                counts: [Int](repeating: 0, count: codebook.allCells.count))
        var corrected = original
        for (table, cell) in [
            ("incidents", "shared.pupil_14_15.female"), ("channels", "whatsapp"), ("tools", "nudify"),
            ("perpetrators", "pupil_same_school"), ("responses", "parents_informed"),
        ] {
            guard let i = codebook.cellIndex(table: table, cell: cell) else { continue }
            corrected.counts[i] += 2
        }
        try FileManager.default.createDirectory(atPath: path("input/corrections"), withIntermediateDirectories: true)
        let correctionPath = path("input/corrections/correction-\(target.1).csv")
        try CountsFile.write(corrected, codebook: codebook).write(toFile: correctionPath, atomically: true, encoding: .utf8)
        let correction = try ingestor.ingest([correctionPath]).results[0].fate
        let history = try store.history(school: target.0, period: target.1)
        say(
            "5. A school corrected its \(target.1) file: \(describe(correction)); its history now holds \(history.count) submissions, \(history.filter(\.isCurrent).count) current."
        )
        let again = try ingestor.ingest([correctionPath]).results[0].fate
        say("6. The same file ingested again: \(describe(again)).")
        // A file with a mistake: the channels table misses one person.
        var wrong = corrected
        if let i = codebook.cellIndex(table: "channels", cell: "whatsapp") { wrong.counts[i] -= 1 }
        let wrongPath = path("input/corrections/mistake-\(target.1).csv")
        try CountsFile.write(wrong, codebook: codebook).write(toFile: wrongPath, atomically: true, encoding: .utf8)
        let rejected = try ingestor.ingest([wrongPath]).results[0].fate
        say("7. A file whose tables disagree: \(describe(rejected)); nothing from it was stored.")
        return (correction, again, rejected)
    }

    /// Step 9: one release per quarter, at the default budget, into files anyone may receive.
    private func makeReleases(store: Store) throws -> [String] {
        let releaser = Releaser(store: store)
        let releaseFolder = path("releases")
        try FileManager.default.createDirectory(atPath: releaseFolder, withIntermediateDirectories: true)
        var releases: [String] = []
        for (i, period) in config.periods.enumerated() {
            progress("releasing", i, config.periods.count)
            var request = ReleaseRequest(period: period)
            request.replicates = replicates
            let file = (releaseFolder as NSString).appendingPathComponent("\(period).sqlite")
            _ = try releaser.create(
                request,
                outputs: ReleaseOutputs(sqlite: file, csvFolder: (releaseFolder as NSString).appendingPathComponent("\(period)-csv")))
            releases.append(file)
        }
        let latest = try latestPeriod()
        let last = try releaser.data(ofRelease: "\(latest)-R1")
        say(
            "9. Made \(releases.count) releases (one per quarter, ρ = \(ReleaseRequest.defaultRho) each, ε = \(last.metadata("epsilon") ?? "?") at δ = 1e-6) in \(releaseFolder)/."
        )
        if let total = last.rows.first(where: { $0.level == .country && $0.tableName == "total" }), let value = total.value,
            let moe = total.moe95
        {
            say(
                "   \(latest), \(config.layout == .authority ? "the whole authority" : "whole country"): \(value) affected persons ± \(ReleaseFile.formatMargin(moe)) (95 % margin); \(config.layout == .authority ? "districts and zones" : "regions and provinces") in the file."
            )
        }
        let count = { (s: CellStatus) in last.rows.filter { $0.status == s }.count }
        say(
            "   Withheld in \(latest): \(count(.belowK)) values fewer than 5 (below_k), \(count(.smallArea)) of small areas (small_area), \(count(.complementary)) more so that none can be computed by subtraction (complementary), of \(last.rows.count); the interval audit passed before each file was written."
        )
        return releases
    }

    /// Step 9b: the last four quarters pooled in one release (their sum measured once, about half
    /// the error of four quarterly releases added up), spending ρ on each of them.
    private func makePooledRelease(store: Store) throws -> String? {
        guard config.periods.count >= 4, let last = config.periods.last else { return nil }
        var request = ReleaseRequest(period: last)
        request.firstPeriod = last.trailing(4).first
        request.replicates = replicates
        guard let span = request.span else { return nil }
        let file = path("releases/\(span).sqlite")
        let data = try Releaser(store: store).create(request, outputs: ReleaseOutputs(sqlite: file))
        say(
            "9b. Pooled release \(data.metadata("release_id") ?? "?"): the four quarters \(span) measured together (ρ = \(ReleaseRequest.defaultRho), spent on each of them), for small areas (mosaic release create --periods \(span))."
        )
        return file
    }

    /// Steps 10 and 11: the ledger refuses an overspend; a researcher's query.
    private func showBudgetAndQuery(store: Store, releases: [String]) throws {
        let latest = try latestPeriod()
        let over = (try? Releaser(store: store).create(ReleaseRequest(period: latest, rho: Rho(nano: 1_500_000_000)))) == nil
        say(
            "10. A second release of \(latest) at ρ = 1.5 would exceed the quarter's cap of 2: \(over ? "refused, nothing spent" : "ACCEPTED (unexpected)")."
        )
        let answers = try QueryEngine(paths: Array(releases.suffix(2))).run(
            QuerySpec(table: "incidents", by: ["period"], filters: ["gender": ["female"]]))
        say(
            "11. A researcher's query (female victims, \(config.layout == .authority ? "the whole authority" : "whole country"), last two quarters): "
                + answers.map { a in
                    "\(a.group[0]): "
                        + (a.value.map { "\($0) ± \(ReleaseFile.formatMargin(a.moe95 ?? 0))" }
                            ?? ((a.upper.map { "between \(a.lower ?? 0) and \($0)" } ?? "at least \(a.lower ?? 0)")
                                + " ± \(ReleaseFile.formatMargin(a.moe95 ?? 0)) (\(a.suppressed) withheld cells inside)"))
                }.joined(separator: "; ")
                + " (mosaic query releases/... --table incidents --by period --where gender=female)."
        )
    }

    /// Step 12: reports for policymakers, the country and the cluster's region, in English and Spanish.
    private func writeReports(country: SyntheticCountry, releases: [String]) throws {
        let reportFolder = path("reports")
        let region =
            country.hotspot.flatMap { h in country.schools.first { $0.id == h.schoolID }?.regionCode } ?? country.schools[0].regionCode
        for language in ["en", "es"] {
            try ReportWriter.write(
                releases: releases, region: nil, language: language, formats: [.html, .md, .csv, .json], folder: reportFolder)
            try ReportWriter.write(
                releases: releases, region: region, language: language, formats: [.html, .md, .csv, .json], folder: reportFolder)
        }
        say("12. Wrote trend reports (country and \(region), English and Spanish; HTML, Markdown, CSV, JSON) in \(reportFolder)/.")
    }

    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    private func describe(_ fate: FileFate) -> String {
        switch fate {
        case .stored: return "stored"
        case .corrected: return "stored as a correction (the earlier submission stays in the history)"
        case .unchanged: return "unchanged, nothing stored"
        case .refused(let why): return "refused (\(why))"
        case .invalid(let e): return "rejected with \"\(e.localizedDescription)\""
        }
    }
}

/// Errors of the demo.
public enum DemoError: Error, LocalizedError {
    /// The folder holds files that are not the demo's own.
    case folderInUse(String)
    /// The synthetic country has no quarter.
    case noQuarters
    /// A file the demo wrote cannot be read back.
    case unreadable(String)
    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .folderInUse(let f): return "\(f): the folder holds other files; choose an empty or new folder for the demo"
        case .noQuarters: return "the demo needs at least one quarter"
        case .unreadable(let f): return "\(f): cannot be read back"
        }
    }
}
