import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicStore

extension Mosaic {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show per region which schools submitted for a quarter and which are missing (the authority's own view).")

        @OptionGroup var store: StoreOptions
        @Option(help: "The quarter, YYYY-Qn.", transform: parsePeriod) var period: Period
        @Flag(help: "Only the per-region table, without the list of missing school ids.") var summaryOnly = false

        func run() throws {
            // A quarter that has not begun has nothing to chase: every school would read as missing.
            let current = Period.containing(Date())
            guard period <= current else { throw Refusal("--period \(period) is in the future (the current quarter is \(current))") }
            let rows = try store.open().status(period: period)
            print(StatusPrinter.render(rows, period: period.description, listMissing: !summaryOnly), terminator: "")
        }
    }
}

enum StatusPrinter {
    static func render(_ rows: [RegionStatus], period: String, listMissing: Bool) -> String {
        var table = TextTable(["region", "name", "registered", "submitted", "missing", "coverage"], rightAligned: [2, 3, 4, 5])
        for r in rows {
            table.add([
                r.regionCode, r.regionName, "\(r.registered)", "\(r.submitted)", "\(r.missing.count)",
                String(format: "%.1f %%", r.coverage * 100),
            ])
        }
        let reg = rows.reduce(0) { $0 + $1.registered }
        let sub = rows.reduce(0) { $0 + $1.submitted }
        table.add([
            "total", "", "\(reg)", "\(sub)", "\(reg - sub)", String(format: "%.1f %%", reg == 0 ? 0 : Double(sub) / Double(reg) * 100),
        ])
        var out = "Submissions for \(period) (open schools in the registry):\n" + table.render()
        if listMissing {
            for r in rows where !r.missing.isEmpty {
                out += "\nMissing in \(r.regionCode) \(r.regionName) (\(r.missing.count)):\n"
                out +=
                    stride(from: 0, to: r.missing.count, by: 8).map {
                        "  " + r.missing[$0..<min($0 + 8, r.missing.count)].joined(separator: " ")
                    }.joined(separator: "\n") + "\n"
            }
        }
        let late = rows.flatMap(\.late)
        if !late.isEmpty {
            out +=
                "\nSubmitted after the quarter's first release (\(late.count)): counted in none of its releases, which all count the schools the first one counted\(listMissing ? ":" : ".")\n"
            if listMissing {
                out +=
                    stride(from: 0, to: late.count, by: 8).map { "  " + late[$0..<min($0 + 8, late.count)].joined(separator: " ") }
                    .joined(separator: "\n") + "\n"
            }
        }
        return out
    }
}
