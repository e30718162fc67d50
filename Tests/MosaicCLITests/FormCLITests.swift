import Foundation
import Testing

/// `mosaic form`: one credential page per school, registered like `registry credentials`.
@Suite struct FormCLITests {
    func authority() throws -> CLI {
        let cli = try CLI()
        cli.write("registry.csv", CLI.registry)
        #expect(try cli.run("init").status == 0)
        #expect(try cli.run("keys", "init").status == 0)
        #expect(try cli.run("registry", "import", "registry.csv").status == 0)
        return cli
    }

    func mode(_ path: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? 0) & 0o777
    }

    @Test func aFormIsACredentialThatRevokesTheSchoolsEarlierKeys() throws {
        let cli = try authority()
        #expect(try cli.run("registry", "credentials", "--school", "A1", "--out", "a1.cred").status == 0)
        let r = try cli.run("form", "--school", "A1", "--out", "a1.html", "--lang", "es")
        #expect(r.status == 0, "\(r.err)")
        #expect(try mode(cli.folder + "/a1.html") == 0o600)
        let html = cli.read("a1.html")
        #expect(html.contains("<html lang=\"es\">"))
        #expect(html.contains("Colegio A1"))
        #expect(html.contains("connect-src 'none'"))
        let keys = try cli.run("registry", "keys", "--school", "A1")
        #expect(keys.out.components(separatedBy: "revoked").count - 1 == 1, "\(keys.out)")  // the credential file's key
        // The old credentials can no longer seal a package that ingests.
        #expect(try cli.run("form", "--school", "A1", "--out", "a1.html").status == 1, "never overwritten")
    }

    @Test func unknownClosedOrFutureIsRefusedAndWritesNothing() throws {
        let cli = try authority()
        let unknown = try cli.run("form", "--school", "ZZ9", "--out", "z.html")
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("unknown school ZZ9"))
        let future = try cli.run("form", "--school", "A1", "--out", "f.html", "--period", "2999-Q1")
        #expect(future.status == 1)
        #expect(future.err.contains("in the future"))
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/z.html"))
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/f.html"))
        #expect(try cli.run("registry", "keys").out.contains("A1") == false)
        #expect(try cli.run("form", "--out", "x.html").status != 0, "--school or --all is required")
    }

    /// A form follows the registry as of the quarters it offers: a school closed from the current
    /// quarter still gets a form for the previous one, and the form's enrolment check uses the
    /// largest of the offered quarters' enrolments (intake checks each quarter's own).
    @Test func aFormFollowsTheRegistryAsOfTheQuartersItOffers() throws {
        let cli = try authority()
        let current = Self.quarter(Date())
        let previous = Self.quarter(Date().addingTimeInterval(-92 * 86_400))
        // From the current quarter: B1 closes, A2 has 100 pupils instead of 250.
        let lines = CLI.registry.split(separator: "\n").map(String.init)
        let next = lines.filter { !$0.hasPrefix("B1,") }.map { $0.replacingOccurrences(of: ",250,", with: ",100,") }
        cli.write("registry-2.csv", next.joined(separator: "\n") + "\n")
        #expect(try cli.run("registry", "import", "--from", current, "registry-2.csv").status == 0)
        let earlier = try cli.run("form", "--school", "B1", "--period", previous, "--out", "b1.html")
        #expect(earlier.status == 0, "\(earlier.err)")
        let now = try cli.run("form", "--school", "B1", "--out", "b1-now.html")
        #expect(now.status == 1 && now.err.contains("marked closed in the registry as of \(current)"), "\(now.err)")
        try cli.expectOK("form", "--school", "A2", "--out", "a2.html")
        #expect(cli.read("a2.html").contains("\"enrolment\":250"))
    }

    static func quarter(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month], from: date)
        return "\(c.year ?? 2026)-Q\(((c.month ?? 1) - 1) / 3 + 1)"
    }

    @Test func allWritesOneFormPerOpenSchoolOrNothing() throws {
        let cli = try authority()
        let r = try cli.run("form", "--all", "--out", "forms")
        #expect(r.status == 0, "\(r.err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.folder + "/forms").sorted()
        #expect(files == ["A1.html", "A2.html", "B1.html"])
        for f in files { #expect(try mode(cli.folder + "/forms/" + f) == 0o600) }
        #expect(r.out.contains("Wrote 3 forms"))
        // A second run into a folder that is not empty is refused and registers nothing more.
        let before = try cli.run("registry", "keys").out
        #expect(try cli.run("form", "--all", "--out", "forms").status == 1)
        #expect(try cli.run("registry", "keys").out == before)
    }
}

/// The school's CLI path: spreadsheets' files, every problem at once, Spanish messages.
@Suite struct SchoolFileCLITests {
    @Test func aSpanishSpreadsheetFileGetsEveryProblemInSpanish() throws {
        let cli = try CLI()
        #expect(try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--lang", "es", "--out", "a1.csv").status == 0)
        // What a Spanish-locale spreadsheet saves: ';' between fields, CRLF, rows of empty fields.
        var rows = cli.read("a1.csv").split(separator: "\n").map { line -> String in
            var r = line.replacingOccurrences(of: ",,", with: ",0,")
            if r.hasPrefix("A1,") {
                // the label is the sixth field; it may hold commas, so quote it for ';'
                let parts = r.split(separator: ",", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
                r = parts.prefix(5).joined(separator: ";") + ";\"" + parts[5].replacingOccurrences(of: "\"", with: "") + "\""
            } else {
                r = r.replacingOccurrences(of: ",", with: ";")
            }
            return r
        }
        rows[2] = rows[2].replacingOccurrences(of: ";0;", with: ";1,5;")
        rows[3] = rows[3].replacingOccurrences(of: ";0;", with: ";-1;")
        cli.write("a1-es.csv", (rows + [";;;;;", ";;;;;"]).joined(separator: "\r\n") + "\r\n")
        let r = try cli.run("validate", "--lang", "es", "a1-es.csv")
        #expect(r.status == 1)
        let lines = r.out.components(separatedBy: "\n")
        #expect(
            lines[0] == "a1-es.csv:3: campo 'count': lleva coma decimal; los recuentos son números enteros (escriba 1, no 1,0)", "\(r.out)")
        #expect(lines[1] == "a1-es.csv:4: campo 'count': es negativo; los recuentos son números enteros de 0 o más")
        #expect(r.out.contains("0 de 1 archivo válido"))
        // Fixed, the same ';' file is valid.
        cli.write(
            "fixed.csv", cli.read("a1-es.csv").replacingOccurrences(of: ";1,5;", with: ";0;").replacingOccurrences(of: ";-1;", with: ";0;"))
        let ok = try cli.run("validate", "--lang", "es", "fixed.csv")
        #expect(ok.status == 0, "\(ok.out)")
        #expect(ok.out.contains("fixed.csv: válido"))
    }

    @Test func aBlankTemplateIsRefusedUntilFilledAndNothingToReportIsExplicit() throws {
        let cli = try CLI()
        #expect(try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--out", "blank.csv").status == 0)
        let blank = try cli.run("validate", "blank.csv")
        #expect(blank.status == 1)
        #expect(blank.out.contains("no count is filled in") && blank.out.contains("--nothing-to-report"))
        #expect(blank.out.components(separatedBy: "\n").filter { $0.hasPrefix("blank.csv") }.count == 1, "one problem, not one per row")
        #expect(try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--nothing-to-report", "--out", "zero.csv").status == 0)
        #expect(try cli.run("validate", "zero.csv").status == 0)
        let future = try cli.run("template", "--school", "A1", "--period", "2999-Q1")
        #expect(future.status == 1 && future.err.contains("in the future"))
        cli.write("registry.csv", CLI.registry)
        #expect(try cli.run("init").status == 0)
        #expect(try cli.run("registry", "import", "registry.csv").status == 0)
        let unknown = try cli.run("template", "--school", "ZZ9", "--period", "2026-Q2", "--store", "mosaic.sqlite")
        #expect(unknown.status == 1 && unknown.err.contains("unknown school ZZ9"))
    }
}
