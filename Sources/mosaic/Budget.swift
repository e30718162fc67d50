import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicPrivacy
import MosaicRelease
import MosaicStore

extension Mosaic {
    struct Budget: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the privacy budget (total ρ) per quarter of data.", subcommands: [Show.self, SetCap.self],
            defaultSubcommand: Show.self)
    }
}

extension Mosaic.Budget {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each quarter's budget: spent, cap, left.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this quarter, YYYY-Qn.", transform: parsePeriod) var period: Period?

        func run() throws {
            let db = try store.open()
            let releaser = Releaser(store: db)
            var periods = Set(try db.periods())
            for r in try releaser.list() { if let p = Period(r.period) { periods.insert(p) } }
            if let period { periods = [period] }
            var table = TextTable(
                ["period", "spent rho", "cap rho", "left rho", "epsilon spent (delta 1e-6)"], rightAligned: [1, 2, 3, 4])
            for p in periods.sorted() {
                let b = try releaser.budget(period: p)
                table.add([
                    p.description, b.spent.description, b.cap.description, (b.cap - b.spent).description,
                    Accounting.formatEpsilon(Accounting.epsilon(rho: b.spent.value, delta: 1e-6)),
                ])
            }
            print(table.render(), terminator: "")
            // The per-quarter ledger bounds what one incident costs; a person with an incident
            // in several quarters loses more, and a pooled release counts the square (PersonLoss).
            let releases = try releaser.list().compactMap { r in PeriodSpan(r.period).map { ($0, r.rho.value) } }
            if !releases.isEmpty {
                let quarters = Set(releases.flatMap { $0.0.quarters }).filter { q in period.map { $0 == q } ?? true }
                let rho = PersonLoss.rho(releases, quarters: quarters)
                let first = quarters.min().map(\.description) ?? ""
                let last = quarters.max().map(\.description) ?? ""
                print(
                    "\nA person with one incident in each quarter \(first == last ? first : "from \(first) to \(last)") loses ρ = \(String(format: "%g", rho)) over every release (ε = \(Accounting.formatEpsilon(Accounting.epsilon(rho: rho, delta: 1e-6))) at δ = 1e-6): each release counts its ρ times the square of the incidents it sums (a pooled release of n quarters, n² × ρ); m incidents in each quarter cost m² times that."
                )
            }
            let changes = try db.capChanges().filter { c in period.map { c.period == nil || c.period == $0.description } ?? true }
            if !changes.isEmpty {
                print("\nCap changes (the ledger's record):")
                var history = TextTable(["when", "quarter", "old cap rho", "new cap rho"], rightAligned: [2, 3])
                for c in changes {
                    history.add([c.changedAt, c.period ?? "default", Rho(nano: c.oldNano).description, Rho(nano: c.newNano).description])
                }
                print(history.render(), terminator: "")
            }
        }
    }

    struct SetCap: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set the cap of total ρ for one quarter, or the default for all.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The quarter, YYYY-Qn (omit with --default).", transform: parsePeriod) var period: Period?
        @Flag(help: "Set the default cap for quarters without their own.") var `default` = false
        @Option(help: "The cap, total ρ.") var rho: Rho

        func validate() throws {
            guard (period != nil) != `default` else { throw ValidationError("give either --period or --default") }
        }

        func run() throws {
            let db = try store.open()
            let before = period.map { try? Releaser(store: db).budget(period: $0).cap } ?? nil
            try db.setCap(nano: rho.nano, period: period)
            if let before { print("Was ρ = \(before); the change is recorded in the ledger ('mosaic budget' lists it).") }
            print("Cap set to ρ = \(rho) for \(period?.description ?? "every quarter without its own cap").")
        }
    }
}
