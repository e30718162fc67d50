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
