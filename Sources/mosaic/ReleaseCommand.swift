import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicEngine
import MosaicErrorModel
import MosaicFiles
import MosaicPrivacy
import MosaicRegistry
import MosaicRelease
import MosaicReleaseFile
import MosaicStore

extension Mosaic {
    struct ReleaseCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release", abstract: "Make protected releases: the only way figures leave the store.",
            subcommands: [Create.self, List.self, Export.self])
    }

}

extension Rho: ExpressibleByArgument {
    /// Parses a command-line argument.
    public init?(argument: String) { self.init(argument) }
}

extension Mosaic.ReleaseCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Spend budget on a quarter, draw noise once, and write a release file.",
            discussion:
                "Noise comes from the operating system's random number generator; there is no seed. The release is kept in the store, so 'mosaic release export' can write it again."
        )

        @OptionGroup var store: StoreOptions
        @Option(help: "The quarter, YYYY-Qn.", transform: parsePeriod) var period: Period?
        @Option(
            help: ArgumentHelp(
                "Consecutive quarters pooled in one release, FIRST..LAST (for example 2025-Q4..2026-Q3): their sum measured directly, with about half the relative error of four quarterly releases added up; spends ρ on every quarter covered.",
                valueName: "YYYY-Qn..YYYY-Qn"), transform: parseSpan)
        var periods: PeriodSpan?
        @Option(help: "Privacy budget of this release, ρ (zCDP).") var rho: Rho = ReleaseRequest.defaultRho
        @Option(help: "Values from 1 to k-1 are withheld (below_k).") var k: Int = 5
        @Option(help: "Regions and provinces with fewer registered schools are not published on their own.") var minSchools: Int = 5
        @Option(help: "The release file to write (SQLite).") var out: String?
        @Option(help: "Also write cells.csv, metadata.csv and coverage.csv into this folder.") var csv: String?
        @Option(help: "Bootstrap replicates stored for margins of sums (post-processing; 0 to omit).") var replicates: Int = 100
        @Option(
            help: ArgumentHelp(
                "How ρ is split over the measurement groups: standard (the evaluated defaults) or optimised (the split that minimises the report workload's variance for this registry's hierarchy; see --plan-only).",
                valueName: "standard|optimised"))
        var weights: String = "standard"
        @Flag(
            help:
                "Print what the release would measure, its noise and expected margins, and stop: no count read, no budget spent, no file written."
        )
        var planOnly = false
        @Option(
            help:
                "A withheld small area's value stays uncertain to a reader by at least max(k, this percentage of the value) either way.")
        var smallAreaMargin: Int = 20
        @Option(
            help: ArgumentHelp(
                "Break the country and every region down by these registry attributes, each a partition of its unit (comma-separated), or none.",
                valueName: "DIMENSION,…|none"))
        var domains: String = RegistryDimension.all.map(\.name).joined(separator: ",")
        @Option(
            help: ArgumentHelp(
                "The tables broken down: total (at the country and every region), and at most one table that counts each person once (at the country only, where the parts are large enough for its cells). Default: total and the tables the codebook marks as broken down.",
                valueName: "total[,TABLE]"))
        var domainTables: String?
        @Option(
            help: ArgumentHelp(
                "The codebook version the release reads (default: the one its quarters' submissions follow, else the latest).",
                valueName: "N"))
        var codebook: Int?

        func validate() throws {
            guard (period == nil) != (periods == nil) else {
                throw ValidationError("give either --period YYYY-Qn (one quarter) or --periods FIRST..LAST (quarters pooled)")
            }
            guard ReleaseRequest.Weights(rawValue: weights) != nil else {
                throw ValidationError("--weights must be standard or optimised")
            }
            guard planOnly || out != nil else { throw ValidationError("--out is required (the release file to write), unless --plan-only") }
            guard (0...1000).contains(replicates) else { throw ValidationError("--replicates must be from 0 to 1000") }
            guard rho.nano > 0, rho.nano <= 1000 * Rho.scale else { throw ValidationError("--rho must be above 0 and at most 1000") }
            guard (1...1000).contains(k) else { throw ValidationError("--k must be from 1 to 1000") }
            guard minSchools >= 1 else { throw ValidationError("--min-schools must be at least 1") }
            guard (0...1000).contains(smallAreaMargin) else {
                throw ValidationError("--small-area-margin must be from 0 to 1000 (percent)")
            }
        }

        func run() throws {
            guard let span = periods ?? period.map(PeriodSpan.init) else { throw ValidationError("give --period or --periods") }
            var request = ReleaseRequest(period: span.last, rho: rho, k: k, minimumSchools: minSchools)
            if !span.isSingle { request.firstPeriod = span.first }
            request.replicates = replicates
            request.smallAreaPercent = smallAreaMargin
            request.weights = ReleaseRequest.Weights(rawValue: weights) ?? .standard
            request.domains = domains == "none" ? [] : domains.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            request.codebookVersion = codebook
            request.domainTables = domainTables?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if planOnly {
                let db = try store.open()
                let releaser = Releaser(store: db)
                let summary = try releaser.planOnly(request)
                print(Self.describe(summary, request: request))
                // Say now what the ledger would refuse: every covered quarter's budget.
                for q in request.span?.quarters ?? [request.period] {
                    let b = try releaser.budget(period: q)
                    if b.spent.nano > b.cap.nano || b.cap.nano - b.spent.nano < summary.spent.nano {
                        print(
                            "Warning: \(q) has ρ = \(b.cap.nano >= b.spent.nano ? b.cap - b.spent : Rho(nano: 0)) left of its cap \(b.cap); this release asks ρ = \(summary.spent) of every quarter it covers, so it would be refused."
                        )
                    }
                }
                return
            }
            guard let out else { throw ValidationError("--out is required") }
            let outputs = ReleaseOutputs(sqlite: out, csvFolder: csv)
            // Check the destination before the store is touched and any budget is spent.
            try outputs.check(forbidden: [store.path])
            let releaser = Releaser(store: try store.open())
            let data = try releaser.create(request, outputs: outputs)
            let published = data.rows.filter { $0.status == .published }.count
            let m = { (key: String) in data.metadata(key) ?? "?" }
            print(
                "Release \(m("release_id")) for \(span): ρ = \(m("rho")) (ε = \(m("epsilon")), δ = 1e-6), k = \(k), min. schools = \(minSchools)."
            )
            let count = { (s: CellStatus) in data.rows.filter { $0.status == s }.count }
            print(
                "Wrote \(out)\(csv.map { " and CSV files in \($0)" } ?? ""): \(data.rows.count) values, \(published) published, \(data.rows.count - published) withheld: \(count(.belowK)) fewer than \(k) (below_k), \(count(.smallArea)) in small areas (small_area), \(count(.complementary)) to protect them from subtraction (complementary); the interval audit passed."
            )
            if !data.domainRows.isEmpty {
                let shown = data.domainRows.filter { $0.row.status == .published }.count
                let dims = Set(data.domainRows.map(\.dimension)).sorted().joined(separator: " and ")
                print(
                    "Breakdowns by \(dims) (domain_cells): \(data.domainRows.count) values, \(shown) published, \(data.domainRows.count - shown) withheld."
                )
            }
            if span.isSingle {
                print("Budget for \(span): \(m("budget_spent_rho")) of \(m("budget_cap_rho")) spent, \(m("budget_remaining_rho")) left.")
            } else {
                print(
                    "Budget, every quarter covered: spent \(m("budget_spent_rho")); caps \(m("budget_cap_rho")); left \(m("budget_remaining_rho"))."
                )
            }
        }
        /// The geography's weight against the breakdowns' and their share of ρ ("" without breakdowns).
        static func breakdownWeights(_ p: PlanSummary) -> String {
            guard p.plan.hasDomains else { return "" }
            let domain = p.groups.filter { $0.dimension != nil }.reduce(0.0) { $0 + $1.rho.value }
            let all = p.groups.reduce(0.0) { $0 + $1.rho.value }
            return
                "; geography=\(p.plan.geographyWeight) against \(p.plan.domainDimensions.map { "\($0)=\(p.plan.domainWeights[$0] ?? 1)" }.joined(separator: " ")) (the breakdowns get "
                + String(format: "%.1f %% of ρ)", 100 * domain / max(all, 1e-300))
        }

        /// The plan in words and a table: groups, noise, ρ, and the margins that follow.
        static func describe(_ p: PlanSummary, request: ReleaseRequest) -> String {
            let tables = p.groups.map(\.table).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            var out =
                "Plan for \(request.span.map(\.description) ?? request.period.description) (nothing read, nothing spent): ρ = \(p.plan.rho) (ε = \(p.epsilon), δ = 1e-6), k = \(p.plan.k), min. schools = \(p.plan.minimumSchools), \(request.weights.rawValue) weights.\n"
            out +=
                "Hierarchy: \(Level.allCases.map { "\(p.units[$0] ?? 0) \($0.rawValue)\(p.units[$0] == 1 ? "" : $0 == .country ? "" : "s")" }.joined(separator: ", ")).\n"
            out +=
                "Weights: tables \(tables.map { "\($0)=\(p.plan.tableWeights[$0] ?? 0)" }.joined(separator: " ")); levels \(Level.allCases.map { "\($0.rawValue)=\(p.plan.levelWeights[$0] ?? 0)" }.joined(separator: " "))\(breakdownWeights(p)).\n\n"
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
            out += pad("group", 24) + pad("Δ²", 4) + pad("σ", 9) + pad("ρ", 14) + "95 % margin of a released value (standard weights)\n"
            for g in p.groups {
                let key = PlanOptimizer.Key(table: g.table, level: g.level)
                out +=
                    pad("\(g.table)/\(g.level.rawValue)\(g.dimension.map { " by " + $0 } ?? "")", 24) + pad(String(g.sensitivitySquared), 4)
                    + pad(String(format: "%.3f", g.sigma2.squareRoot()), 9) + pad(g.rho.description, 14)
                    + (g.dimension == nil
                        ? String(format: "± %.1f", p.margins[key] ?? 0) + String(format: " (± %.1f)", p.standardMargins[key] ?? 0)
                        : String(format: "± %.1f (mean over the parts; a breakdown)", p.domainMargins[g.dimension ?? ""]?[key] ?? 0)) + "\n"
            }
            out += "\nTotal ρ of the groups: \(p.spent) (each group's ρ is rounded up to a nano-ρ)."
            out +=
                "\nWorkload objective (mean variance of each table and level, and of each breakdown, relative to the standard weights; \(p.importance)): "
                + String(format: "%.3f (standard: %.3f).", p.objective, p.standardObjective)
            return out
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List releases with their parameters and budget.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let releaser = Releaser(store: try store.open())
            let releases = try releaser.list()
            guard !releases.isEmpty else {
                print("No release yet. Make one with 'mosaic release create --period YYYY-Qn --out FILE'.")
                return
            }
            var table = TextTable(
                ["release", "period", "created", "rho", "k", "min schools", "quarter spent/cap"], rightAligned: [3, 4, 5])
            for r in releases {
                // A pooled release: its last quarter's budget (every covered quarter is in 'mosaic budget').
                guard let period = PeriodSpan(r.period)?.last else { continue }
                let b = try releaser.budget(period: period)
                table.add([r.id, r.period, r.createdAt, r.rho.description, "\(r.k)", "\(r.minimumSchools)", "\(b.spent)/\(b.cap)"])
            }
            print(table.render(), terminator: "")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a stored release again, with the same data (no new noise, no budget).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The release id (see 'mosaic release list').") var id: String
        @Option(help: "The release file to write (SQLite).") var out: String
        @Option(help: "Also write cells.csv, metadata.csv and coverage.csv into this folder.") var csv: String?

        func run() throws {
            let outputs = ReleaseOutputs(sqlite: out, csvFolder: csv)
            try outputs.check(forbidden: [store.path])
            let db = try store.open()
            try Releaser(store: db).export(id, outputs: outputs)
            print("Wrote release \(id) to \(out)\(csv.map { " and \($0)" } ?? "").")
        }
    }
}
