import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicFiles
import MosaicRegistry
import MosaicStore

extension Mosaic {
    struct RegistryCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry", abstract: "Keep the school registry.",
            subcommands: [Import.self, Show.self, IssueCredentials.self, Revoke.self, ListKeys.self])
    }
}

extension Mosaic.RegistryCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a registry CSV: adds, updates and marks closed schools; never loses a submission.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The registry file (CSV).") var file: String
        @Option(
            help: ArgumentHelp(
                "The first quarter the file holds for (default: the quarter after the latest released one; every quarter when none is). Earlier quarters keep the registry they had.",
                valueName: "YYYY-Qn"))
        var from: Period?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Refusal("\(file): cannot be read (no such file, or no permission)")
            }
            let schools = try RegistryFile.parse(Array(data), file: file)
            let db = try store.open()
            let s = try db.importRegistry(schools, source: AtomicFile.nameOf(file), from: from)
            print(
                "Imported \(schools.count) schools from \(file): \(s.added) added, \(s.updated) updated, \(s.unchanged) unchanged, \(s.reopened) reopened, \(s.closed) marked closed."
            )
            if !s.replaced.isEmpty {
                print(
                    "It replaces the registry an earlier import had scheduled from \(s.replaced.joined(separator: ", ")) (a file holds from its quarter on)."
                )
            }
            if s.effectiveFrom == Store.beginning {
                print("It holds for every quarter (none is released yet).")
            } else {
                print(
                    "It holds from \(s.effectiveFrom)\(s.latestReleased.map { " (\($0) is the latest released)" } ?? ""); earlier quarters keep the registry they had ('mosaic registry show --as-of QUARTER')."
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarise the registry per region.")

        @OptionGroup var store: StoreOptions
        @Option(help: ArgumentHelp("The registry as it held in this quarter (default: the latest imported).", valueName: "YYYY-Qn"))
        var asOf: Period?

        func run() throws {
            let rows = try store.open().registrySummary(asOf: asOf)
            guard !rows.isEmpty else {
                print("The registry is empty. Import one with 'mosaic registry import FILE.csv'.")
                return
            }
            var table = TextTable(["region", "name", "provinces", "open schools", "closed", "pupils"], rightAligned: [2, 3, 4, 5])
            for r in rows {
                table.add([r.regionCode, r.regionName, "\(r.provinces)", "\(r.openSchools)", "\(r.closedSchools)", "\(r.enrolment)"])
            }
            table.add([
                "total", "", "\(rows.reduce(0) { $0 + $1.provinces })", "\(rows.reduce(0) { $0 + $1.openSchools })",
                "\(rows.reduce(0) { $0 + $1.closedSchools })", "\(rows.reduce(0) { $0 + $1.enrolment })",
            ])
            print(table.render(), terminator: "")
        }
    }
}
