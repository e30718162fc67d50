import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicFiles
import MosaicPrivacy
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
        @Option(help: "The quarter, YYYY-Qn.", transform: parsePeriod) var period: Period
        @Option(help: "Privacy budget of this release, ρ (zCDP).") var rho: Rho = ReleaseRequest.defaultRho
        @Option(help: "Values from 1 to k-1 are withheld (below_k).") var k: Int = 5
        @Option(help: "Regions and provinces with fewer registered schools are not published on their own.") var minSchools: Int = 5
        @Option(help: "The release file to write (SQLite).") var out: String
        @Option(help: "Also write cells.csv, metadata.csv and coverage.csv into this folder.") var csv: String?
        @Option(help: "Bootstrap replicates stored for margins of sums (post-processing; 0 to omit).") var replicates: Int = 100
        @Option(
            help:
                "A withheld small area's value stays uncertain to a reader by at least max(k, this percentage of the value) either way.")
        var smallAreaMargin: Int = 20

        func validate() throws {
            guard (0...1000).contains(replicates) else { throw ValidationError("--replicates must be from 0 to 1000") }
            guard rho.nano > 0, rho.nano <= 1000 * Rho.scale else { throw ValidationError("--rho must be above 0 and at most 1000") }
            guard (1...1000).contains(k) else { throw ValidationError("--k must be from 1 to 1000") }
            guard minSchools >= 1 else { throw ValidationError("--min-schools must be at least 1") }
            guard (0...1000).contains(smallAreaMargin) else {
                throw ValidationError("--small-area-margin must be from 0 to 1000 (percent)")
            }
        }

        func run() throws {
            let outputs = ReleaseOutputs(sqlite: out, csvFolder: csv)
            // Check the destination before the store is touched and any budget is spent.
            try outputs.check(forbidden: [store.path])
            let releaser = Releaser(store: try store.open())
            var request = ReleaseRequest(period: period, rho: rho, k: k, minimumSchools: minSchools)
            request.replicates = replicates
            request.smallAreaPercent = smallAreaMargin
            let data = try releaser.create(request, outputs: outputs)
            let published = data.rows.filter { $0.status == .published }.count
            let m = { (key: String) in data.metadata(key) ?? "?" }
            print(
                "Release \(m("release_id")) for \(period): ρ = \(m("rho")) (ε = \(m("epsilon")), δ = 1e-6), k = \(k), min. schools = \(minSchools)."
            )
            let count = { (s: CellStatus) in data.rows.filter { $0.status == s }.count }
            print(
                "Wrote \(out)\(csv.map { " and CSV files in \($0)" } ?? ""): \(data.rows.count) values, \(published) published, \(data.rows.count - published) withheld: \(count(.belowK)) fewer than \(k) (below_k), \(count(.smallArea)) in small areas (small_area), \(count(.complementary)) to protect them from subtraction (complementary); the interval audit passed."
            )
            print("Budget for \(period): \(m("budget_spent_rho")) of \(m("budget_cap_rho")) spent, \(m("budget_remaining_rho")) left.")
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
                guard let period = Period(r.period) else { continue }
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
            let data = try Releaser(store: db).data(ofRelease: id)
            try ReleaseFile.write(data, to: out, csvFolder: csv)
            // An interrupted release whose files could not be finished is complete now.
            try db.forgetPendingRelease(id)
            print("Wrote release \(id) to \(out)\(csv.map { " and \($0)" } ?? "").")
        }
    }
}
