import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicEngine
import MosaicErrorModel
import MosaicFiles
import MosaicPrivacy
import MosaicRegistry
import MosaicReleaseFile
import MosaicSamplers
import MosaicStore

/// A release plan as `--plan-only` prints it.
public struct PlanSummary: Sendable {
    /// The plan (weights, ρ, k, minimum schools).
    public var plan: ReleasePlan
    /// Every measurement group with its exact noise and ρ.
    public var groups: [ReleasePlan.Group]
    /// The ρ the release would spend.
    public var spent: Rho
    /// ε at δ = 10⁻⁶, as the release would state it.
    public var epsilon: String
    /// The mean 95 % margin of one released value per (table, level), after least squares.
    public var margins: [PlanOptimizer.Key: Double]
    /// The same under the standard weights.
    public var standardMargins: [PlanOptimizer.Key: Double]
    /// Units per level.
    public var units: [Level: Int]
    /// The workload objective of this plan (``PlanOptimizer``; lower is better).
    public var objective: Double
    /// The standard weights' objective.
    public var standardObjective: Double
    /// The tables' weights in the objective, as said to the authority ("total ×3, incidents ×2";
    /// tables of weight 1 are not listed).
    public var importance: String = ""
    /// The mean 95 % margin of a breakdown's part per (table, level), keyed by dimension, from
    /// the exact variances of the parts' least-squares estimates (empty without breakdowns).
    public var domainMargins: [String: [PlanOptimizer.Key: Double]] = [:]
}

/// What an authority asks for in a release.
public struct ReleaseRequest: Sendable {
    /// The quarter, `YYYY-Qn` (the last quarter of a pooled release).
    public var period: Period
    /// The first quarter of a pooled release (nil: one quarter). A pooled release measures the
    /// sum over its quarters directly and spends its ρ on every one of them.
    public var firstPeriod: Period?

    /// The quarters the release covers.
    public var span: PeriodSpan? { firstPeriod.map { PeriodSpan(first: $0, last: period) } ?? PeriodSpan(period) }
    /// ρ (zero-concentrated differential privacy).
    public var rho: Rho
    /// Published values from 1 to k − 1 are suppressed.
    public var k: Int
    /// Units with fewer registered schools are not published on their own.
    public var minimumSchools: Int
    /// Bootstrap replicates stored with the release, for margins of sums.
    public var replicates: Int = 100
    /// A withheld small area stays uncertain by max(k, this percentage of its value) either way.
    public var smallAreaPercent: Int = 20
    /// The codebook version the release reads (nil: the one its quarters' submissions follow,
    /// else the latest).
    public var codebookVersion: Int?
    /// How ρ is split over the measurement groups.
    public var weights: Weights = .standard
    /// The registry attributes the country and regions are broken down by (`stage`, `sector`);
    /// empty for none.
    public var domains: [String] = RegistryDimension.all.map(\.name)
    /// The tables broken down: `total` (at the country and the regions) and at most one table
    /// that counts each person once (at the country only; see ``Domains/levels(ofTable:)``); nil
    /// for the codebook's choice (``ReleasePlan/defaultDomainTables(codebook:)``).
    public var domainTables: [String]?

    /// How ρ is split over the measurement groups.
    public enum Weights: String, Sendable, CaseIterable {
        /// The weights chosen from the utility evaluation's grid (``ReleasePlan/defaults(codebook:rho:)``).
        case standard
        /// The weights that minimise the workload objective for this registry's hierarchy
        /// (``PlanOptimizer``): public parameters only (registered schools per unit).
        case optimised
    }

    /// The default ρ of one release.
    public static let defaultRho = Rho(nano: 1_000_000_000)

    /// Makes the value from its parts.
    public init(period: Period, rho: Rho = ReleaseRequest.defaultRho, k: Int = 5, minimumSchools: Int = 5) {
        self.period = period
        self.rho = rho
        self.k = k
        self.minimumSchools = minimumSchools
    }
}

/// Where a release's files go: the SQLite file, and optionally a folder for its CSV files.
public struct ReleaseOutputs: Sendable {
    /// The SQLite release file.
    public var sqlite: String
    /// A folder for the CSV files, if wanted.
    public var csvFolder: String?

    /// Makes the value from its parts.
    public init(sqlite: String, csvFolder: String? = nil) {
        self.sqlite = sqlite
        self.csvFolder = csvFolder
    }

    /// Checks that every file can be written as a new one (a missing CSV folder must be creatable).
    public func check(forbidden: [String] = []) throws {
        var paths = [sqlite]
        if let csvFolder {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: csvFolder, isDirectory: &isDir) {
                guard isDir.boolValue else { throw OutputError.exists(csvFolder) }
                paths += ReleaseFile.csvPaths(folder: csvFolder)
            } else {
                paths.append(csvFolder)
            }
        }
        try AtomicFile.check(paths, forbidden: forbidden)
    }

    /// Every file, the SQLite file first.
    public var paths: [String] { [sqlite] + (csvFolder.map { ReleaseFile.csvPaths(folder: $0) } ?? []) }
}

/// A release as the store lists it.
public struct ReleaseSummary: Sendable, Equatable {
    /// The identifier.
    public var id: String
    /// The quarter, `YYYY-Qn`.
    public var period: String
    /// When it was made (ISO 8601, UTC).
    public var createdAt: String
    /// ρ (zero-concentrated differential privacy).
    public var rho: Rho
    /// Published values from 1 to k − 1 are suppressed.
    public var k: Int
    /// Units with fewer registered schools are not published on their own.
    public var minimumSchools: Int
}

/// Why a release was refused.
public enum ReleaseError: Error, LocalizedError, Equatable {
    case overBudget(period: String, spent: Rho, asked: Rho, cap: Rho)
    case noSubmissions(String)
    /// Counted submissions of a quarter follow other codebook versions than the release's.
    case otherCodebook(period: String, release: Int, versions: [Int: Int])
    case unknownRelease(String)
    case invalidRequest(String)
    /// A release of the quarter was recorded but its files were not all written (a killed run).
    case unfinished(String)
    /// The release is recorded (its budget spent) but its files could not all be written.
    case partlyWritten(String, String)
    /// Its protection failed after its noise was drawn: recorded, ρ spent, no figures.
    case failedAfterNoise(String, String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .overBudget(let period, let spent, let asked, let cap):
            return
                "refused: the release would spend ρ = \(asked) on \(period), but \(spent) of the quarter's cap \(cap) is already spent (\(cap - spent) left). Ask for less, or raise the cap with 'mosaic budget set' if your policy allows. If an earlier release's file was lost, 'mosaic release export ID --out FILE' writes it again without spending."
        case .noSubmissions(let period): return "no current submission for \(period): nothing to release"
        case .otherCodebook(let period, let release, let versions):
            let list = versions.sorted { $0.key < $1.key }.map { "\($0.value) in version \($0.key)" }.joined(separator: ", ")
            return
                "refused: this release reads codebook version \(release), but schools' current submissions for \(period) follow another that version \(release) declares no complete reading of (\(list)): they would drop out of its figures while their schools still counted as reporting. Release in the version they follow (--codebook N), or have those schools resubmit in version \(release) ('mosaic status --period \(period)' lists who submitted)"
        case .unknownRelease(let id): return "no release with id '\(id)' (see 'mosaic release list')"
        case .invalidRequest(let why): return why
        case .unfinished(let id):
            return
                "release \(id) of this quarter was recorded but its files were not all written (an interrupted run): run 'mosaic doctor' to finish it, or write it with 'mosaic release export \(id) --out FILE'; no new release until then"
        case .failedAfterNoise(let id, let why):
            return
                "\(why). Its noise was drawn, so its ρ is spent and recorded as release \(id) (no figures, no file): a failure that depends on the noise is never free to retry. Try again with a larger ρ or --min-schools, or ask for fewer breakdowns."
        case .partlyWritten(let id, let why):
            return
                "release \(id) is recorded and its budget spent, but its files could not all be written (\(why)); write them with 'mosaic release export \(id) --out FILE' (no new budget), or run 'mosaic doctor'"
        }
    }
}

/// Creates, lists and exports releases: the only way data leaves the store.
///
/// Creating a release spends budget, draws noise once, and stores the noisy measurements and
/// the published rows in one immediate transaction, so that concurrent releases cannot
/// overspend and a failure leaves nothing behind. Exporting reads the stored rows: it never
/// draws fresh noise.
public struct Releaser: Sendable {
    /// The store.
    public let store: Store

    /// Works on `store`.
    public init(store: Store) { self.store = store }

    /// Runs after the noise is drawn and the release protected: tests make it throw to stand for
    /// a failed audit (internal: no command reaches it).
    var afterProtection: (@Sendable () throws -> Void)? = nil

    /// Creates a release with noise from the operating system's CSPRNG and records it in the
    /// store (no file: see ``create(_:outputs:now:)``).
    public func create(_ request: ReleaseRequest, now: Date = Date()) throws -> ReleaseData {
        try create(request, entropy: SystemEntropy(), now: now)
    }

    /// Creates a release and writes its files.
    ///
    /// The order is the failure rule's (and the ledger's) own: the outputs are checked and
    /// claimed in the store first; the noise is drawn and the release recorded in the ledger's
    /// transaction, which commits with a full sync (the store runs `synchronous = FULL`), so the
    /// spending is on disk before any file exists; only then are the files written *from the
    /// recorded release* (as `release export` writes them) under temporary names and named. No
    /// noisy file ever exists outside a recorded release. A command killed before the commit
    /// leaves nothing; one killed after it leaves a recorded, unfinished release that the next
    /// command finishes from the store (``Recovery``). If a file cannot be written after the
    /// commit (a name taken meanwhile, a full disk), the release stays recorded and its budget
    /// spent, and the error says how to write it (`release export`).
    public func create(_ request: ReleaseRequest, outputs: ReleaseOutputs, now: Date = Date()) throws -> ReleaseData {
        try create(request, entropy: SystemEntropy(), outputs: outputs, now: now)
    }

    /// The same with a given entropy source: for tests only (internal, so no command can pass one).
    func create<E: EntropySource>(_ request: ReleaseRequest, entropy: E, outputs: ReleaseOutputs, now: Date = Date()) throws -> ReleaseData
    {
        let finals = outputs.paths
        try outputs.check(forbidden: [store.path])
        let unfinished = try store.unfinishedReleases(
            periods: (request.span?.quarters ?? [request.period]).map(\.description))
        if let id = unfinished.first { throw ReleaseError.unfinished(id) }
        let token = UUID().uuidString
        let owner = ProcessIdentity.current
        let created = timestampUTC(now)
        let pending = finals.map {
            PendingOutput(
                finalPath: AtomicFile.resolved($0), temporaryPath: AtomicFile.temporaryPath(for: AtomicFile.resolved($0)),
                kind: .release, token: token, ref: nil, owner: owner, createdAt: created)
        }
        try store.claim(pending)
        var createdFolder = false
        let id: String
        do {
            if let folder = outputs.csvFolder { createdFolder = try ReleaseFile.prepareFolder(folder) }
            let made = try create(request, entropy: entropy, now: now, pendingToken: token) { _, _ in }
            guard let recordedID = made.metadata("release_id") else { throw ReleaseError.noSubmissions(request.period.description) }
            id = recordedID
        } catch {
            if createdFolder, let folder = outputs.csvFolder { rmdir(folder) }
            try? store.release(token: token)
            throw error
        }
        // Recorded and synced: write the files from the recorded release, then name them.
        var temporaries: [String] = []
        do {
            let data = try self.data(ofRelease: id)
            temporaries = try Releaser.writeTemporaries(data, pending: pending, outputs: outputs)
            for (o, t) in zip(pending, temporaries) { try AtomicFile.publish(temporary: t, to: o.finalPath) }
            try? store.release(token: token)
            return data
        } catch {
            // The release stays recorded (its noise was drawn: its budget stays spent) and claimed
            // as unfinished, so that every command says so until its files are written.
            for t in temporaries { AtomicFile.remove(t) }
            throw ReleaseError.partlyWritten(id, error.localizedDescription)
        }
    }

    /// Writes a recorded release's files again, exactly as first written (no new noise, no
    /// budget), all or nothing: claimed in the store's journal first, so that a run killed
    /// half-way is finished by the next command; an unfinished release's claims are forgotten
    /// once its files are written.
    public func export(_ id: String, outputs: ReleaseOutputs, now: Date = Date()) throws {
        try outputs.check(forbidden: [store.path])
        let data = try self.data(ofRelease: id)
        let token = UUID().uuidString
        let pending = outputs.paths.map {
            PendingOutput(
                finalPath: AtomicFile.resolved($0), temporaryPath: AtomicFile.temporaryPath(for: AtomicFile.resolved($0)),
                kind: .release, token: token, ref: id, owner: ProcessIdentity.current, createdAt: timestampUTC(now))
        }
        try store.claim(pending)
        var createdFolder = false
        var temporaries: [String] = []
        var named: [String] = []
        do {
            if let folder = outputs.csvFolder { createdFolder = try ReleaseFile.prepareFolder(folder) }
            temporaries = try Releaser.writeTemporaries(data, pending: pending, outputs: outputs)
            for (o, t) in zip(pending, temporaries) {
                try AtomicFile.publish(temporary: t, to: o.finalPath)
                named.append(o.finalPath)
            }
        } catch {
            for t in temporaries { AtomicFile.remove(t) }
            for p in named { AtomicFile.remove(p) }
            if createdFolder, let folder = outputs.csvFolder { rmdir(folder) }
            try? store.release(token: token)
            throw error
        }
        try store.release(token: token)
        // An interrupted release whose files could not be finished is complete now.
        try store.forgetPendingRelease(id)
    }

    /// Writes a release's files under the temporary names of its pending outputs.
    static func writeTemporaries(_ data: ReleaseData, pending: [PendingOutput], outputs: ReleaseOutputs) throws -> [String] {
        // Each file goes straight to its claimed temporary name, so that recovery always finds it.
        var written: [String] = []
        do {
            guard let first = pending.first else { return [] }
            written.append(try ReleaseFile.writeTemporary(data, at: first.temporaryPath, for: outputs.sqlite))
            if let folder = outputs.csvFolder {
                for (o, file) in zip(pending.dropFirst(), ReleaseFile.csvFiles(data, folder: folder)) {
                    written.append(try AtomicFile.writeTemporary(file.data, at: o.temporaryPath, for: file.path))
                }
            }
        } catch {
            for w in written { AtomicFile.remove(w) }
            throw error
        }
        return written
    }

    /// The same without files, with a given entropy source: for tests only.
    func create<E: EntropySource>(_ request: ReleaseRequest, entropy: E, now: Date = Date()) throws -> ReleaseData {
        try create(request, entropy: entropy, now: now, pendingToken: nil) { _, _ in }
    }

    /// Makes the release inside the store's ledger transaction; `beforeCommit` runs last inside it.
    func create<E: EntropySource>(
        _ request: ReleaseRequest, entropy: E, now: Date, pendingToken: String?,
        beforeCommit: (ReleaseData, String) throws -> Void
    ) throws -> ReleaseData {
        guard request.k >= 1, request.k <= 1000 else { throw ReleaseError.invalidRequest("k must be from 1 to 1000") }
        guard (0...1000).contains(request.smallAreaPercent) else {
            throw ReleaseError.invalidRequest("the small-area margin must be from 0 to 1000 percent")
        }
        guard request.minimumSchools >= 1 else { throw ReleaseError.invalidRequest("the minimum number of schools must be at least 1") }
        guard request.rho.nano > 0, request.rho.nano <= 1000 * Rho.scale else {
            throw ReleaseError.invalidRequest("ρ must be above 0 and at most 1000")
        }
        guard let span = request.span else {
            throw ReleaseError.invalidRequest(
                "the first quarter must come before the last, and a pooled release covers at most \(PeriodSpan.maxQuarters) quarters")
        }
        let registryVersion = try store.registryVersion()
        let codebook = try self.codebook(request, span: span)
        let (geography, plan, domains) = try self.plan(request, codebook: codebook)
        var engine = ReleaseEngine(codebook: codebook, geography: geography, plan: plan, domains: domains)
        let registryFacts = try self.registryFacts(geography: geography, period: request.period)
        let asked = plan.spent(codebook: codebook)
        let created = timestampUTC(now)
        var data: ReleaseData?
        var recorded: (id: String, failure: String)?
        do {
            let stored = try store.recordRelease(
                span: span, askingNano: asked.nano, codebook: codebook, k: request.k, minimumSchools: request.minimumSchools,
                createdAt: created, pendingToken: pendingToken, registryVersion: registryVersion,
                make: { ledger in
                    let spent = Rho(nano: ledger.spentNano)
                    let cap = Rho(nano: ledger.capNano)
                    // What the release says about reporting, per quarter, as the quarter's first
                    // release fixed it: small areas from the schools it counted, with its minimum
                    // and every breakdown (later releases show a part of that one statement), and
                    // coverage from the noisy counts it drew.
                    var freeze: [FrozenReporting?] = []
                    var quarterCounts: [[String: FrozenCount]] = []
                    var reportingMinimums: [Int] = []
                    var currentRules: [Int: (rule: SmallAreaRule, domains: Domains)] = [:]
                    var reportedByQuarter: [[Bool]] = []
                    var factsByQuarter: [RegistryFacts] = []
                    for (i, q) in ledger.reportingByPeriod.enumerated() {
                        let fixed = ledger.frozenReporting.indices.contains(i) ? ledger.frozenReporting[i] : nil
                        let minimum = fixed?.minimumSchools ?? ledger.reportingMinimum
                        // A frozen quarter's statement is made over its registry of then, never today's.
                        let snapshot = ledger.frozenRegistry.indices.contains(i) ? ledger.frozenRegistry[i] : nil
                        let facts = snapshot.map { RegistryFacts($0, geography: geography) } ?? registryFacts
                        let statement: (rule: SmallAreaRule, domains: Domains)
                        if snapshot == nil, let made = currentRules[minimum] {
                            statement = made
                        } else {
                            statement = facts.rule(minimumSchools: minimum, geography: geography)
                            if snapshot == nil { currentRules[minimum] = statement }
                        }
                        let reported = facts.schools.map { q.schools.contains($0.id) }
                        let small = try statement.rule.publish(reported: reported)
                        // A pooled release withholds what any covered quarter withholds.
                        for u in engine.smallAreas.units.indices where small.units[u] { engine.smallAreas.units[u] = true }
                        for (p, part) in domains.parts.enumerated() {
                            let d = statement.domains.dimensions.firstIndex { $0.name == domains.dimensionName(part) }
                            let v = d.flatMap { statement.domains.dimensions[$0].values.firstIndex(of: domains.valueCode(part)) }
                            if let d, let v, let whole = statement.domains.part(unit: part.unit, dimension: d, value: v), small.parts[whole]
                            {
                                engine.smallAreas.parts[p] = true
                            }
                            if engine.smallAreas.units[part.unit] { engine.smallAreas.parts[p] = true }
                        }
                        reportedByQuarter.append(reported)
                        factsByQuarter.append(facts)
                        reportingMinimums.append(minimum)
                    }
                    // Then the coverage (every refusal above comes before any draw).
                    for (i, reported) in reportedByQuarter.enumerated() {
                        let fixed = ledger.frozenReporting.indices.contains(i) ? ledger.frozenReporting[i] : nil
                        var counts: [String: FrozenCount]
                        if let fixed {
                            counts = fixed.counts
                            freeze.append(nil)
                        } else {
                            let facts = factsByQuarter[i]
                            var reporting = [Int](repeating: 0, count: geography.units.count)
                            var registered = [Int](repeating: 0, count: geography.units.count)
                            for (s, r) in reported.enumerated() {
                                registered[facts.provinces[s]] += 1
                                if r { reporting[facts.provinces[s]] += 1 }
                            }
                            for u in stride(from: geography.units.count - 1, through: 0, by: -1) {
                                for c in geography.units[u].children {
                                    reporting[u] += reporting[c]
                                    registered[u] += registered[c]
                                }
                            }
                            let noisy = CoverageRule.draw(registered: registered, reporting: reporting, entropy: entropy)
                            counts = [:]
                            for (u, unit) in geography.units.enumerated() {
                                if let n = noisy[u] {
                                    counts["\(unit.level.rawValue)|\(unit.code)"] = FrozenCount(registered: registered[u], noisy: n)
                                }
                            }
                            freeze.append(FrozenReporting(minimumSchools: reportingMinimums[i], counts: counts, registry: facts.schools))
                        }
                        quarterCounts.append(counts)
                    }
                    // One quarter's counts, or the pooled quarters' sums (units counted in every quarter).
                    let coverageOfSpan: [PublishedCoverage] = geography.units.map { unit in
                        let key = "\(unit.level.rawValue)|\(unit.code)"
                        let each = quarterCounts.compactMap { $0[key] }
                        guard !each.isEmpty, each.count == quarterCounts.count else { return .withheld }
                        return CoverageRule.published(
                            registered: each.reduce(0) { $0 + $1.registered }, noisy: each.reduce(0) { $0 + $1.noisy }, quarters: each.count
                        )
                    }
                    var coverage = Releaser.coverage(
                        period: span.last, geography: geography, byProvince: ledger.coverageByProvince, published: coverageOfSpan)
                    for i in coverage.indices { coverage[i].period = span.description }
                    let measurements = engine.measure(
                        TrueCounts(byProvince: ledger.truth, byDomain: ledger.truthByDomain), entropy: entropy)
                    let published: [ReleasedValue]
                    do {
                        published = try engine.publish(engine.estimate(measurements))
                        try afterProtection?()
                    } catch let e as SuppressionError {
                        // The noise was drawn and the failure depends on it: the draw is recorded
                        // and its ρ spent (the one stated exception to "a failed command spends
                        // nothing"), so that retrying until an audit passes is never free.
                        var failed = NewRelease(
                            parts: StoredReleaseParts(metadata: [["release_id", ledger.releaseID]], units: [], noise: [], coverage: []),
                            rows: [], totals: measurements.totals, cells: measurements.cells, domainCells: measurements.domainCells,
                            replicates: [])
                        failed.failure = e.description
                        failed.freeze = freeze
                        return failed
                    }
                    let replicates = engine.replicateErrors(published: published, count: request.replicates, entropy: entropy)
                    var metadata = Releaser.metadata(
                        id: ledger.releaseID, request: request, created: created, codebook: codebook, plan: plan,
                        engine: engine, spentAfter: spent + asked, cap: cap)
                    // The minimum of reporting schools each covered quarter's statement uses.
                    let minimums = Set(reportingMinimums)
                    let reportingText =
                        minimums.count == 1
                        ? String(minimums.first ?? request.minimumSchools)
                        : zip(span.quarters, reportingMinimums).map { "\($0)=\($1)" }.joined(separator: "; ")
                    let at = (metadata.firstIndex { $0.key == "min_schools" } ?? (metadata.count - 1)) + 1
                    metadata.insert((key: "reporting_min_schools", value: reportingText), at: at)
                    if !span.isSingle {
                        // Every covered quarter's budget, and what the release measured.
                        func each(_ f: (UInt64, UInt64) -> Rho) -> String {
                            ledger.budgets.map { "\($0.period)=\(f($0.spentNano, $0.capNano))" }.joined(separator: "; ")
                        }
                        for (i, entry) in metadata.enumerated() {
                            switch entry.key {
                            case "period": metadata[i].value = span.description
                            case "budget_cap_rho": metadata[i].value = each { _, cap in Rho(nano: cap) }
                            case "budget_spent_rho": metadata[i].value = each { spent, _ in Rho(nano: spent) + asked }
                            case "budget_remaining_rho":
                                metadata[i].value = each { spent, cap in Rho(nano: cap) - (Rho(nano: spent) + asked) }
                            case "privacy_unit":
                                metadata[i].value +=
                                    "; this release pools \(span.quarterCount) quarters (\(span)): it measures their sum directly (one person in one incident in one quarter changes each pooled cell by at most 1, as in a quarterly release) and spends its rho on every covered quarter"
                            default: break
                            }
                        }
                    }
                    func row(_ v: ReleasedValue) -> ReleaseRow {
                        let u = geography.units[v.unit]
                        return ReleaseRow(
                            period: span.description, level: u.level, geoCode: u.code, geoName: u.name,
                            tableName: v.table, cell: v.cell, value: v.value, moe95: v.moe95,
                            status: v.reason.map(CellStatus.init(reason:)) ?? .published)
                    }
                    let rows = published.filter { $0.part == nil }.map(row)
                    var made = ReleaseData(
                        metadata: metadata, rows: rows, tables: Releaser.shapes(codebook), coverage: coverage,
                        units: Releaser.units(geography), noise: Releaser.noise(engine.groups.filter { $0.dimension == nil }))
                    made.replicates = replicates
                    made.domainRows = published.compactMap { v in
                        v.part.map { p in
                            DomainRow(
                                row: row(v), dimension: domains.dimensionName(domains.parts[p]), domain: domains.valueCode(domains.parts[p])
                            )
                        }
                    }
                    made.domainUnits = Releaser.domainUnits(domains, geography: geography)
                    made.domainNoise = engine.groups.compactMap { g in
                        g.dimension.map { DomainNoiseRow(dimension: $0, noise: Releaser.noise([g])[0]) }
                    }
                    data = made
                    var release = NewRelease(
                        parts: Releaser.parts(made), rows: rows, totals: measurements.totals,
                        cells: measurements.cells, domainCells: measurements.domainCells,
                        replicates: replicates.map(ReleaseFile.encode))
                    release.freeze = freeze
                    return release
                },
                beforeCommit: { id in
                    guard let data else { return }
                    try beforeCommit(data, id)
                })
            if let failure = stored.failure, let id = stored.parts.metadata.first?.last { recorded = (id, failure) }
        } catch let e as LedgerError {
            switch e {
            case .overBudget(let spent, let asked, let cap, let period):
                throw ReleaseError.overBudget(period: period, spent: Rho(nano: spent), asked: Rho(nano: asked), cap: Rho(nano: cap))
            case .noSubmissions: throw ReleaseError.noSubmissions(span.description)
            case .otherCodebook(let period, let versions):
                throw ReleaseError.otherCodebook(period: period, release: codebook.version, versions: versions)
            case .registryChanged:
                throw ReleaseError.invalidRequest(
                    "refused: a registry was imported while this release was being prepared, so its plan read the registry before it; nothing was spent: make the release again"
                )
            }
        }
        guard let data else {
            if let id = recorded?.id, let why = recorded?.failure { throw ReleaseError.failedAfterNoise(id, why) }
            throw ReleaseError.noSubmissions(span.description)
        }
        return data
    }

    /// The codebook a release reads: the one asked for; else the latest when it can read every
    /// counted submission of its quarters (their own version, or through its declared mapping);
    /// else the version they all follow; else the latest (which then refuses, naming them).
    func codebook(_ request: ReleaseRequest, span: PeriodSpan) throws -> Codebook {
        if let v = request.codebookVersion {
            guard Codebook.availableVersions.contains(v) else {
                throw ReleaseError.invalidRequest(
                    "codebook version \(v) is not known to this build (known: \(Codebook.availableVersions.map(String.init).joined(separator: ", ")))"
                )
            }
            return try Codebook.bundled(version: v)
        }
        let versions = try store.codebookVersions(span: span)
        let latest = try Codebook.bundled()
        let readsAll = versions.keys.allSatisfy { v in (try? Codebook.bundled(version: v)).flatMap { try? latest.reading(from: $0) } != nil
        }
        if !readsAll, versions.count == 1, let only = versions.keys.first { return try Codebook.bundled(version: only) }
        return latest
    }

    /// The hierarchy of the registry's open schools and the plan `request` asks for (no count
    /// read, nothing spent).
    func plan(_ request: ReleaseRequest, codebook: Codebook) throws -> (Geography, ReleasePlan, Domains) {
        // The registry as of the release's (last) quarter: its hierarchy, pupils and breakdowns.
        let schools = try store.schools(asOf: request.period)
        let open = Set(try store.schoolFacts(asOf: request.period).filter(\.value.isOpen).keys)
        let geography = Geography(schools: schools, open: open)
        // A pooled release reads each quarter with its own registry and publishes on the last
        // quarter's hierarchy: a province with open schools in an earlier quarter that the last
        // quarter's registry no longer has would drop out. Decided from the registry alone.
        if let span = request.span, !span.isSingle {
            let provinces = Set(geography.units.filter { $0.level == .province }.map(\.code))
            for q in span.quarters.dropLast() {
                let openThen = Set(try store.schoolFacts(asOf: q).filter(\.value.isOpen).keys)
                let gone = Set(try store.schools(asOf: q).filter { openThen.contains($0.id) }.map(\.provinceCode)).subtracting(provinces)
                if let first = gone.sorted().first {
                    throw ReleaseError.invalidRequest(
                        "\(span) spans a registry change: province \(first) has open schools in \(q) but none in \(span.last)'s registry, so a pooled release could not show its figures; pool only the quarters after the change, or release the quarters apart"
                    )
                }
            }
        }
        let domainTables =
            request.domains.isEmpty ? [] : request.domainTables ?? ReleasePlan.defaultDomainTables(codebook: codebook)
        for d in request.domains where Domains.knownDimensions[d] == nil {
            throw ReleaseError.invalidRequest(
                "unknown breakdown '\(d)': the registry has \(RegistryDimension.all.map(\.name).joined(separator: " and "))")
        }
        guard Set(request.domains).count == request.domains.count else {
            throw ReleaseError.invalidRequest("a breakdown is named twice")
        }
        if !request.domains.isEmpty {
            let others = domainTables.filter { $0 != ReleasePlan.totalName }
            guard domainTables.contains(ReleasePlan.totalName), Set(domainTables).count == domainTables.count, others.count <= 1,
                others.allSatisfy({ codebook.rules.equalTotals.contains($0) })
            else {
                throw ReleaseError.invalidRequest(
                    "the tables broken down by \(request.domains.joined(separator: " and ")) must be total and at most one of \(codebook.rules.equalTotals.joined(separator: ", ")) (tables that count each person once: their cells then add up to each part's total; breaking down two of them at once, or responses, has no guaranteed consistent whole-number solution)"
                )
            }
        }
        let defaults = ReleasePlan.defaults(codebook: codebook, rho: request.rho)
        var plan = ReleasePlan(
            rho: request.rho, tableWeights: defaults.tableWeights, levelWeights: defaults.levelWeights,
            k: request.k, minimumSchools: request.minimumSchools)
        plan.smallAreaPercent = request.smallAreaPercent
        if request.weights == .optimised {
            plan = PlanOptimizer(codebook: codebook, geography: geography).optimize(base: plan).plan
            plan.smallAreaPercent = request.smallAreaPercent
        }
        var domains = Domains.none
        if !request.domains.isEmpty {
            plan.addDefaultDomains(codebook: codebook)
            plan.domainDimensions = request.domains
            plan.domainTables = domainTables
            domains = Domains(schools: schools, geography: geography, dimensions: request.domains, tables: domainTables, open: open)
            if request.weights == .optimised {
                // The breakdowns' share too, by the same workload objective (closed form).
                plan = PlanOptimizer(codebook: codebook, geography: geography).optimizeDomainShare(plan, domains: domains).plan
            }
        }
        return (geography, plan, domains)
    }

    /// What a release would measure, with how much noise, and the margins that follow: printed by
    /// `mosaic release create --plan-only`. Reads the registry only; spends nothing.
    public func planOnly(_ request: ReleaseRequest) throws -> PlanSummary {
        let codebook = try request.span.map { try self.codebook(request, span: $0) } ?? Codebook.bundled()
        let (geography, plan, domains) = try self.plan(request, codebook: codebook)
        let optimizer = PlanOptimizer(codebook: codebook, geography: geography)
        var domainMargins: [String: [PlanOptimizer.Key: Double]] = [:]
        if !domains.isEmpty {
            // Public parameters only: the parts' variances come from the plan and the registry.
            let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: plan, domains: domains)
            var sum: [String: [PlanOptimizer.Key: (Double, Int)]] = [:]
            for (p, part) in domains.parts.enumerated() {
                let level = geography.units[part.unit].level
                for (q, slot) in engine.domainSlots(ofPart: p).enumerated() {
                    let table = slot == 0 ? ReleasePlan.totalName : codebook.allCells[slot - 1].table
                    let key = PlanOptimizer.Key(table: table, level: level)
                    let old = sum[domains.dimensionName(part), default: [:]][key] ?? (0, 0)
                    sum[domains.dimensionName(part), default: [:]][key] = (old.0 + engine.domainVarianceTable[p][q], old.1 + 1)
                }
            }
            domainMargins = sum.mapValues { $0.mapValues { Margin.of(variance: $0.0 / Double(max($0.1, 1))) } }
        }
        let variances = optimizer.tableVariances(plan)
        let standard = optimizer.tableVariances(ReleasePlan.defaults(codebook: codebook, rho: request.rho))
        // The objective over every group, the breakdowns' included when there are any.
        var standardPlan = ReleasePlan.defaults(codebook: codebook, rho: request.rho)
        if plan.hasDomains {
            standardPlan.addDefaultDomains(codebook: codebook)
            standardPlan.domainDimensions = plan.domainDimensions
            standardPlan.domainTables = plan.domainTables
        }
        let reference = optimizer.groupVariances(standardPlan, domains: domains)
        let objective = optimizer.objective(plan, domains: domains, reference: reference)
        let standardObjective = optimizer.objective(standardPlan, domains: domains, reference: reference)
        let units = Dictionary(grouping: geography.units, by: \.level).mapValues(\.count)
        return PlanSummary(
            plan: plan, groups: plan.groups(codebook: codebook), spent: plan.spent(codebook: codebook),
            epsilon: Accounting.formatEpsilon(Accounting.epsilon(rho: plan.rho.value, delta: 1e-6)),
            margins: variances.mapValues { Margin.of(variance: $0) }, standardMargins: standard.mapValues { Margin.of(variance: $0) },
            units: units, objective: objective, standardObjective: standardObjective,
            importance: optimizer.tableImportance.filter { $0.value != 1 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.key) ×\(String(format: "%g", $0.value))" }.joined(separator: ", "),
            domainMargins: domainMargins)
    }

    /// The stored release `id`, exactly as it was first written.
    public func data(ofRelease id: String) throws -> ReleaseData {
        if let why = try store.releaseFailure(id: id) {
            throw ReleaseError.invalidRequest("release \(id) has no figures: \(why) (its ρ is spent)")
        }
        guard let stored = try store.storedRelease(id: id) else { throw ReleaseError.unknownRelease(id) }
        func damaged(_ what: String) -> ReleaseError {
            .invalidRequest("release \(id): its stored \(what) cannot be read; the store may be damaged (run 'mosaic doctor')")
        }
        let p = stored.parts
        guard p.metadata.allSatisfy({ $0.count == 2 }), p.units.allSatisfy({ $0.count == 4 }), p.noise.allSatisfy({ $0.count == 5 }),
            p.coverage.allSatisfy({ $0.count == 9 }) || p.coverage.allSatisfy({ $0.count == 8 })
        else { throw damaged("parameters") }
        let units = try p.units.map { u in
            guard let level = Level(rawValue: u[0]) else { throw damaged("units") }
            return UnitRow(level: level, geoCode: u[1], geoName: u[2], parentCode: u[3])
        }
        var coverage: [CoverageRow] = []
        if p.coverage.first?.count == 8 {
            // A release recorded before the reporting rule kept exact reporting counts per unit;
            // no coverage of it is passed on (the rule needs the registry of its day).
            for c in p.coverage {
                guard let level = Level(rawValue: c[1]), let a = Int(c[4]), let e = Int(c[6]) else { throw damaged("coverage") }
                coverage.append(
                    CoverageRow(
                        period: c[0], level: level, geoCode: c[2], geoName: c[3], registeredSchools: a, registeredEnrolment: e,
                        coverage: .withheld))
            }
        } else {
            for c in p.coverage {
                guard let level = Level(rawValue: c[1]), let a = Int(c[4]), let e = Int(c[5]), let status = CoverageStatus(rawValue: c[6])
                else { throw damaged("coverage") }
                coverage.append(
                    CoverageRow(
                        period: c[0], level: level, geoCode: c[2], geoName: c[3], registeredSchools: a, registeredEnrolment: e,
                        coverage: PublishedCoverage(status: status, low: Int(c[7]), high: Int(c[8]))))
            }
        }
        var noise: [NoiseRow] = []
        for n in p.noise {
            guard let level = Level(rawValue: n[1]), let num = UInt64(n[2]), let den = UInt64(n[3]), let rho = UInt64(n[4]) else {
                throw damaged("noise")
            }
            noise.append(NoiseRow(tableName: n[0], level: level, sigma2Num: num, sigma2Den: den, rhoNano: rho))
        }
        let rows = stored.rows
        var data = ReleaseData(
            metadata: p.metadata.map { (key: $0[0], value: $0[1]) }, rows: rows,
            tables: Releaser.shapes(try Codebook.bundled(version: stored.codebookVersion)), coverage: coverage,
            units: units, noise: noise)
        data.replicates = stored.replicates.map(ReleaseFile.decode)
        for r in p.domainRows ?? [] {
            guard r.count == 11, let level = Level(rawValue: r[1]), let status = CellStatus(rawValue: r[10]) else {
                throw damaged("breakdowns")
            }
            data.domainRows.append(
                DomainRow(
                    row: ReleaseRow(
                        period: r[0], level: level, geoCode: r[2], geoName: r[3], tableName: r[6], cell: r[7], value: Int(r[8]),
                        moe95: Double(r[9]), status: status), dimension: r[4], domain: r[5]))
        }
        for u in p.domainUnits ?? [] {
            guard u.count == 6, let level = Level(rawValue: u[0]), let schools = Int(u[4]), let pupils = Int(u[5]) else {
                throw damaged("breakdowns")
            }
            data.domainUnits.append(
                DomainUnitRow(
                    level: level, geoCode: u[1], dimension: u[2], domain: u[3], registeredSchools: schools, registeredEnrolment: pupils))
        }
        for n in p.domainNoise ?? [] {
            guard n.count == 6, let level = Level(rawValue: n[2]), let num = UInt64(n[3]), let den = UInt64(n[4]), let rho = UInt64(n[5])
            else { throw damaged("breakdowns") }
            data.domainNoise.append(
                DomainNoiseRow(
                    dimension: n[0], noise: NoiseRow(tableName: n[1], level: level, sigma2Num: num, sigma2Den: den, rhoNano: rho)))
        }
        return data
    }

    /// Every release, oldest first.
    public func list() throws -> [ReleaseSummary] {
        try store.releaseSummaries().map {
            ReleaseSummary(
                id: $0.id, period: $0.period, createdAt: $0.createdAt, rho: Rho(nano: $0.rhoNano), k: $0.k,
                minimumSchools: $0.minimumSchools)
        }
    }

    /// The budget of a quarter: (spent, cap).
    public func budget(period: Period) throws -> (spent: Rho, cap: Rho) {
        let b = try store.budgetNano(period: period)
        return (Rho(nano: b.spent), Rho(nano: b.cap))
    }

    /// The release's public parts as the store keeps them.
    static func parts(_ d: ReleaseData) -> StoredReleaseParts {
        StoredReleaseParts(
            metadata: d.metadata.map { [$0.key, $0.value] },
            units: d.units.map { [$0.level.rawValue, $0.geoCode, $0.geoName, $0.parentCode] },
            noise: d.noise.map { [$0.tableName, $0.level.rawValue, String($0.sigma2Num), String($0.sigma2Den), String($0.rhoNano)] },
            coverage: d.coverage.map {
                [
                    $0.period, $0.level.rawValue, $0.geoCode, $0.geoName, String($0.registeredSchools), String($0.registeredEnrolment),
                    $0.coverage.status.rawValue, $0.coverage.low.map(String.init) ?? "", $0.coverage.high.map(String.init) ?? "",
                ]
            },
            domainRows: d.domainRows.map { r in
                [
                    r.row.period, r.row.level.rawValue, r.row.geoCode, r.row.geoName, r.dimension, r.domain, r.row.tableName, r.row.cell,
                    r.row.value.map(String.init) ?? "", r.row.moe95.map { String($0) } ?? "", r.row.status.rawValue,
                ]
            },
            domainUnits: d.domainUnits.map {
                [$0.level.rawValue, $0.geoCode, $0.dimension, $0.domain, String($0.registeredSchools), String($0.registeredEnrolment)]
            },
            domainNoise: d.domainNoise.map {
                [
                    $0.dimension, $0.noise.tableName, $0.noise.level.rawValue, String($0.noise.sigma2Num), String($0.noise.sigma2Den),
                    String($0.noise.rhoNano),
                ]
            })
    }

    /// The open schools as the small-area rule sees them (registry only: no reporting read):
    /// today's registry, or a frozen quarter's.
    struct RegistryFacts {
        /// The schools, in the order the rule numbers them.
        var schools: [FrozenSchool] = []
        /// Each one's province (index in the geography).
        var provinces: [Int] = []

        /// Facts from schools, placed in `geography` (a school whose province it lacks is left out).
        init(_ list: [FrozenSchool], geography: Geography) {
            var province: [String: Int] = [:]
            for (i, u) in geography.units.enumerated() where u.level == .province { province[u.code] = i }
            for s in list {
                guard let p = province[s.provinceCode] else { continue }
                schools.append(s)
                provinces.append(p)
            }
        }

        /// The rule with `minimumSchools` over every breakdown the registry allows (a release
        /// shows the statuses of its own parts, all from this one statement).
        func rule(minimumSchools: Int, geography: Geography) -> (rule: SmallAreaRule, domains: Domains) {
            let dimensions = Domains.knownDimensions.keys.sorted().map {
                Domains.Dimension(name: $0, values: Domains.knownDimensions[$0] ?? [])
            }
            func value(_ s: FrozenSchool, _ d: Domains.Dimension) -> Int {
                s.values[d.name].flatMap { d.values.firstIndex(of: $0) } ?? -1
            }
            var counts: [[Int]: Int] = [:]  // [unit, dimension, value] → schools
            for (s, p) in zip(schools, provinces) {
                guard let region = geography.units[p].parent else { continue }
                for (d, dim) in dimensions.enumerated() {
                    let v = value(s, dim)
                    guard v >= 0 else { continue }
                    for u in [0, region] { counts[[u, d, v], default: 0] += 1 }
                }
            }
            let domains = Domains(
                dimensions: dimensions, tables: [],
                parts: counts.map { Domains.Part(unit: $0.key[0], dimension: $0.key[1], value: $0.key[2], schools: $0.value, pupils: 0) })
            let list = zip(schools, provinces).map { s, p in SmallAreaRule.School(province: p, values: dimensions.map { value(s, $0) }) }
            return (SmallAreaRule(geography: geography, domains: domains, schools: list, minimumSchools: minimumSchools), domains)
        }
    }

    /// The open schools as of the release's (last) quarter, for the small-area rule.
    func registryFacts(geography: Geography, period: Period) throws -> RegistryFacts {
        let open = Set(try store.schoolFacts(asOf: period).filter(\.value.isOpen).keys)
        let list = try store.schools(asOf: period).filter { open.contains($0.id) }.map { school in
            FrozenSchool(
                id: school.id, provinceCode: school.provinceCode,
                values: Dictionary(uniqueKeysWithValues: RegistryDimension.all.map { d in (d.name, d.value(of: school)) }))
        }
        return RegistryFacts(list, geography: geography)
    }

    /// Registered schools and pupils per unit, summed up the hierarchy, with the coverage the
    /// reporting rule publishes (never the reporting schools' pupils or exact counts).
    static func coverage(
        period: Period, geography: Geography, byProvince: [String: ProvinceCoverage], published: [PublishedCoverage]
    ) -> [CoverageRow] {
        let perUnit = geography.sumUp(byProvince, zero: ProvinceCoverage()) { a, b in
            var s = a
            s.registeredSchools += b.registeredSchools
            s.reportingSchools += b.reportingSchools
            s.registeredEnrolment += b.registeredEnrolment
            s.reportingEnrolment += b.reportingEnrolment
            return s
        }
        return geography.units.enumerated().map { i, u in
            CoverageRow(
                period: period.description, level: u.level, geoCode: u.code, geoName: u.name,
                registeredSchools: perUnit[i].registeredSchools, registeredEnrolment: perUnit[i].registeredEnrolment,
                coverage: published.indices.contains(i) ? published[i] : .withheld)
        }
    }

    static func domainUnits(_ domains: Domains, geography: Geography) -> [DomainUnitRow] {
        domains.parts.map { p in
            let u = geography.units[p.unit]
            return DomainUnitRow(
                level: u.level, geoCode: u.code, dimension: domains.dimensionName(p), domain: domains.valueCode(p),
                registeredSchools: p.schools, registeredEnrolment: p.pupils)
        }
    }

    static func units(_ geography: Geography) -> [UnitRow] {
        geography.units.map { u in
            UnitRow(level: u.level, geoCode: u.code, geoName: u.name, parentCode: u.parent.map { geography.units[$0].code } ?? "")
        }
    }

    static func noise(_ groups: [ReleasePlan.Group]) -> [NoiseRow] {
        groups.map {
            NoiseRow(tableName: $0.table, level: $0.level, sigma2Num: $0.sigma2Num, sigma2Den: $0.sigma2Den, rhoNano: $0.rho.nano)
        }
    }

    /// Names in an English list: "a, b, c and d".
    static func listed(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }

    static func shapes(_ codebook: Codebook) -> [ReleaseData.TableShape] {
        codebook.tables.map { t in
            ReleaseData.TableShape(
                name: t.name, dimensions: t.dimensions,
                cells: t.cells.map { (code: $0.code, values: $0.values, label: codebook.label(of: $0)) })
        }
    }

    /// The release's public parameters and its guarantee in words.
    static func metadata(
        id: String, request: ReleaseRequest, created: String, codebook: Codebook, plan: ReleasePlan,
        engine: ReleaseEngine, spentAfter: Rho, cap: Rho
    ) -> [(key: String, value: String)] {
        let delta = 1e-6
        let epsilon = Accounting.epsilon(rho: plan.rho.value, delta: delta)
        let noise = engine.groups.map { g in
            "\(g.table)/\(g.level.rawValue)\(g.dimension.map { " by " + $0 } ?? ""): sigma^2 = \(g.sigma2Num)/\(g.sigma2Den) (sigma = \(String(format: "%.3f", g.sigma2.squareRoot()))), rho = \(g.rho)"
        }.joined(separator: "; ")
        return [
            ("release_id", id),
            ("period", request.period.description),
            ("created_at", created),
            ("codebook_version", String(codebook.version)),
            ("levels", "country, region, province"),
            (
                "mechanism",
                "discrete Gaussian noise (exact sampler of Canonne, Kamath and Steinke 2020, OS randomness) on every cell and on the total of affected persons at every level; then post-processing: least-squares consistency, top-down non-negative whole numbers, k-threshold and small-area rule"
            ),
            ("privacy_unit", "one affected person in one incident at one school in one quarter"),
            ("rho", plan.rho.description),
            ("epsilon", Accounting.formatEpsilon(epsilon)),
            ("delta", "1e-06"),
            ("k", String(plan.k)),
            ("min_schools", String(plan.minimumSchools)),
            ("small_area_margin_percent", String(plan.smallAreaPercent)),
            ("budget_cap_rho", cap.description),
            ("budget_spent_rho", spentAfter.description),
            ("budget_remaining_rho", (cap - spentAfter).description),
            ("noise", noise),
            (
                "table_weights",
                codebook.tables.map(\.name).appending(ReleasePlan.totalName).map { "\($0)=\(plan.tableWeights[$0]!)" }.joined(
                    separator: ", ")
            ),
            ("level_weights", Level.allCases.map { "\($0.rawValue)=\(plan.levelWeights[$0]!)" }.joined(separator: ", ")),
            (
                "domains",
                plan.hasDomains
                    ? "the country and every region broken down by \(plan.domainDimensions.joined(separator: " and ")) for \(plan.domainTables.joined(separator: " and ")) (table domain_cells; registry facts per part in domain_units): each is measured with its own noise (domain_noise; one person is in one part of each breakdown, so each breakdown's group has the table's own sensitivity, and its rho counts in the total above); the parts of a unit add up to the unit, the regions' parts to the country's, and within a part the cells to its total. Weights: geography=\(plan.geographyWeight), \(plan.domainDimensions.map { "\($0)=\(plan.domainWeights[$0, default: 1])" }.joined(separator: ", ")). A part with fewer than \(plan.minimumSchools) registered schools, or fewer reporting than reporting_min_schools, is withheld (small_area)."
                    : "none"
            ),
            (
                "guarantee",
                "This release satisfies \(plan.rho)-zero-concentrated differential privacy, and therefore (\(Accounting.formatEpsilon(epsilon)), 1e-06)-differential privacy, for each affected person in each incident: whether or not any one such person was counted, the probability of any set of figures here changes by at most a factor e^epsilon (plus delta). At the default epsilon of about 7.8 that factor is loose: this is a moderate privacy loss, not a tiny one, and the protection of small numbers rests as much on the k-threshold, the small-area rule and complementary suppression as on the noise. The guarantee covers every figure here computed from counts; the coverage table protects a different unit, a school's reporting (see below). A person counted in m incidents of this release's quarters loses m^2 times rho (group privacy): a pooled release of n quarters costs n^2 times its rho for a person with one incident in each, and a many-victim incident or a whole school's submission is not protected as one unit (a large cluster shows as a cluster). Spending more budget on the same quarter adds up (budget_spent_rho is the quarter's total when this release was made; 'mosaic budget' tells the total now). Each incident is counted in the quarter the school learned of it: a late report or a correction of a quarter already released reaches only later releases, and an incident counted in two quarters costs the ρ of both. Which schools reported is protected apart, and less formally: the coverage table alone is \(CoverageRule.rho)-zCDP for one school's reporting in a quarter (each unit's count of reporting schools plus discrete Gaussian noise of variance \(CoverageRule.sigma2), drawn once per quarter by its first release and reused by every release covering it; only units of at least \(CoverageRule.minimumSchools) open schools, a registry fact, show a share, as a 95 % interval). The quarter's first release also fixes which schools its releases count and the registry they are read against: a school that reports later reaches none of them. The small_area statuses are exact statements about reporting (fewer schools reported in that unit or part than the quarter's minimum, reporting_min_schools, a policy of the store fixed with the quarter, over every breakdown, so that every release of the quarter shows part of one statement): a rule decided from the registry makes the statuses caused by any one school's absence the same as those of at least as many other schools' absences as that minimum (two at least), and where the statuses would let a reader's linear program prove that a school did not report, the groups whose 'at least the minimum' statuses feed that proof are withheld as small_area too (a reader who knows this rule can still, with several absences, sometimes read it: measured at 0.3 % of absences in exhaustive tests of tiny registries, never for a single absence). The figures themselves move by a reporting school's own persons, protected at the persons' level above."
            ),
            (
                "replicates",
                "table replicates: bootstrap replicates of the errors (the engine rerun with fresh noise on a country made of the published values only, a below_k value standing in as k/2 rounded down and a complementary one as k; post-processing, no privacy cost), for margins of sums"
            ),
            (
                "margins",
                "moe95 is the half-width of a 95 % interval for the value, from the variance of the least-squares estimate: it depends on the noise scales and the structure of the tables only, never on the true counts. Values are whole numbers of 0 or more; for values near zero the interval is conservative (a true zero published as 0 is always inside it)."
            ),
            (
                "suppression",
                "A withheld value has no value and no margin; its status says why. below_k: fewer than \(plan.k) (from 1 to \(plan.k - 1), or a zero withheld to protect another value). small_area: a region, province or breakdown part with fewer than \(plan.minimumSchools) registered schools, or fewer reporting than reporting_min_schools (the store's policy, fixed with the quarter by its first release), or one of exactly that minimum withheld whatever reports so that no school's absence shows, or withheld so that several absences cannot be pinned down (its counts appear only inside its parent; the value may be anything, zero included). complementary: a value of \(plan.k) or more withheld so that no other withheld value can be computed by subtraction. Before this file was written, an interval audit solved the linear program a reader would (every published value, children summing to their parent, tables summing to the total, responses at most the total, no negative value, and what each status says) for every withheld value: a below_k value can still be anything from 1 to \(plan.k - 1), and a small area's value is uncertain by at least max(\(plan.k), \(plan.smallAreaPercent) % of it) either way, except where the statuses themselves already imply a bound (two provinces with fewer than \(plan.k) each make a region of at most \(2 * (plan.k - 1))). Suppression is post-processing of the noisy values: it costs no privacy budget and is not part of the differential-privacy guarantee; it protects against computing a withheld value from the published ones."
            ),
            (
                "total_persons",
                "table 'total', cell 'persons': affected persons, consistent with each of the tables \(Self.listed(codebook.rules.equalTotals))"
            ),
        ]
    }
}

extension Array {
    fileprivate func appending(_ e: Element) -> [Element] { self + [e] }
}

func timestampUTC(_ date: Date) -> String { Timestamp.utc(date) }
