import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicFiles
import MosaicForm
import MosaicKeyring
import MosaicRegistry

extension Mosaic {
    struct Form: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a school's offline submission form: one HTML file that checks and seals its counts in any browser.",
            discussion: """
                Each form carries a new signing key for its school, registered exactly as 'mosaic registry credentials' \
                does (the school's earlier keys are revoked unless --keep-old). The file is a credential: it is \
                written with mode 0600; hand it to the school privately. It opens offline in current Chrome, Edge, \
                Firefox and Safari and fetches nothing.
                """)

        @OptionGroup var store: StoreOptions
        @Option(help: "The school's id.") var school: String?
        @Flag(help: "One form per open school of the registry, into the folder --out.") var all = false
        @Option(help: "The form to write (.html), or with --all the folder to write them into (must not exist or be empty).")
        var out: String
        @Option(help: "The language the form opens in: en or es (the form has a switch to the other).") var lang: String = "en"
        @Option(
            name: .customLong("period"), help: "A quarter the school may submit (repeat; default: the current and the previous quarter).",
            transform: parsePeriod)
        var periods: [Period] = []
        @Flag(help: "Keep the schools' earlier keys valid (default: revoke them).") var keepOld = false

        func validate() throws {
            guard (school == nil) != !all else { throw ValidationError("give either --school ID or --all") }
            if let school, !Identifier.isValid(school) { throw ValidationError("--school must be 1 to 40 letters, digits, '-' or '_'") }
            guard ["en", "es"].contains(lang) else { throw ValidationError("--lang must be en or es") }
        }

        func run() throws {
            let db = try store.open()
            let now = Date()
            let current = Period.containing(now)
            if let future = periods.first(where: { $0 > current }) {
                throw Refusal("--period \(future) is in the future (the current quarter is \(current)); nothing was written")
            }
            let offered = periods.isEmpty ? FormPage.defaultPeriods(now: now) : Array(Set(periods)).sorted(by: >)
            let codebook = try Codebook.bundled()
            // The registry as of the latest quarter the form offers (who is open, names); the form's
            // own check of a count against enrolment uses the largest of the offered quarters', so
            // it never refuses what intake (each quarter's own cap) accepts.
            let latestOffered = offered.max() ?? current
            let registry = Dictionary(uniqueKeysWithValues: try db.schools(asOf: latestOffered).map { ($0.id, $0) })
            let facts = try db.schoolFacts(asOf: latestOffered)
            var cap: [String: Int] = [:]
            for q in Set(offered) { for (id, f) in try db.schoolFacts(asOf: q) { cap[id] = max(cap[id] ?? 0, f.enrolment) } }
            func page(_ s: MosaicRegistry.School) -> FormPage {
                FormPage(
                    school: .init(id: s.id, name: s.name, enrolment: cap[s.id] ?? s.enrolment), periods: offered, language: lang,
                    codebook: codebook)
            }
            if let school {
                guard let s = registry[school] else {
                    throw Refusal("unknown school \(school): it is not in the registry as of \(latestOffered)")
                }
                guard facts[school]?.isOpen == true else {
                    throw Refusal(
                        "school \(school) is marked closed in the registry as of \(latestOffered), the latest quarter the form offers")
                }
                let creds = try CredentialIssuer.issue(school: school, to: out, store: db, keepOld: keepOld, now: now) {
                    Data(try page(s).html(credentials: $0).utf8)
                }
                print(
                    "Wrote \(out) for \(school) (key \(creds.fingerprint))\(keepOld ? "" : "; earlier keys revoked"). It holds the school's key: hand it over privately (mode 0600)."
                )
                return
            }
            let open = registry.values.filter { facts[$0.id]?.isOpen == true }.sorted { $0.id < $1.id }
            guard !open.isEmpty else { throw Refusal("the registry has no open school; import one with 'mosaic registry import FILE.csv'") }
            var isDirectory: ObjCBool = false
            var created = false
            if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) {
                guard isDirectory.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: out))?.isEmpty == true else {
                    throw Refusal("\(out): a file or a folder that is not empty is there; forms are never overwritten")
                }
            } else {
                created = true
                do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false) } catch {
                    throw Refusal("\(out): the folder cannot be made (does its parent exist?)")
                }
            }
            let progress = Progress(label: "Forms")
            do {
                let items = open.map { (school: $0.id, path: out + "/" + $0.id + ".html") }
                _ = try CredentialIssuer.issueAll(
                    items, store: db, keepOld: keepOld, now: now,
                    content: { creds in
                        guard let s = registry[creds.schoolID] else { throw Refusal("unknown school \(creds.schoolID)") }
                        return Data(try page(s).html(credentials: creds).utf8)
                    },
                    progress: { progress.update($0, items.count) })
                progress.finish()
            } catch {
                progress.finish()
                if created { try? FileManager.default.removeItem(atPath: out) }
                throw error
            }
            print(
                "Wrote \(open.count) forms into \(out), one per open school (mode 0600 each)\(keepOld ? "" : "; earlier keys revoked"). Each holds its school's key: hand each to its school privately."
            )
        }
    }
}
