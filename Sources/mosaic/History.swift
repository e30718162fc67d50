import ArgumentParser
import MosaicCodebook
import MosaicStore

extension Mosaic {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a school's submissions for a quarter, corrections included (the authority's own view).")

        @OptionGroup var store: StoreOptions
        @Option(help: "The school's id.") var school: String
        @Option(help: "The quarter, YYYY-Qn.", transform: parsePeriod) var period: Period

        func run() throws {
            let db = try store.open()
            // A typo in the id is an error, not an empty history.
            guard try db.schoolFacts()[school] != nil else {
                throw Refusal("unknown school \(school): it is not in the registry (see 'mosaic registry show')")
            }
            let rows = try db.history(school: school, period: period)
            guard !rows.isEmpty else {
                print("No submission from \(school) for \(period).")
                return
            }
            var table = TextTable(["submission", "received", "file", "format", "persons", "state"], rightAligned: [0, 4])
            for r in rows {
                table.add([
                    "\(r.id)", r.receivedAt, r.sourceName, r.sourceFormat, "\(r.persons)",
                    (r.supersededBy.map { "superseded by \($0)" } ?? "current") + (r.late ? ", late (after a release of the quarter)" : ""),
                ])
            }
            print(table.render(), terminator: "")
        }
    }
}
