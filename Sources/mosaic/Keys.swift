import ArgumentParser
import Foundation
import MosaicCounts
import MosaicFiles
import MosaicKeyring
import MosaicRegistry
import MosaicSeal
import MosaicStore

/// The authority key option shared by the commands that need it.
struct AuthorityKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "The authority's private key file.", discussion: "Default: $MOSAIC_AUTHORITY_KEY, else ./mosaic-authority.key.",
            valueName: "path"))
    var key: String?

    var path: String { key ?? ProcessInfo.processInfo.environment["MOSAIC_AUTHORITY_KEY"] ?? "mosaic-authority.key" }
}

extension Mosaic {
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make key pairs for sealed submissions.", subcommands: [InitAuthority.self, School.self])
    }
}

extension Mosaic.Keys {
    struct InitAuthority: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create the authority's key pair (private file mode 0600, never printed) and record its public key in the store.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var key: AuthorityKeyOptions

        func run() throws {
            finishInterruptedWrites([key.path])
            try AtomicFile.check([key.path, key.path + ".pub"], forbidden: [store.path])
            let db = try store.open()
            let authority = try CredentialIssuer.createAuthorityKey(at: key.path, store: db)
            print("Created \(key.path) (private, mode 0600) and \(key.path).pub (public). Fingerprint: \(authority.fingerprint).")
            print("Keep the private key off shared drives; back it up offline. Schools get the public key inside their credentials.")
        }
    }

    struct School: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a school's own key pair (at the school): credentials for sealing, and a public key file for the authority.")
        @Option(help: "The school's id in the registry.") var school: String
        @Option(help: "The authority's public key file (.pub).") var authorityPublic: String
        @Option(help: "The credential file to write (mode 0600); the public key goes to <out>.pub.") var out: String

        func run() throws {
            guard Identifier.isValid(school) else { throw ValidationError("--school must be 1 to 40 letters, digits, '-' or '_'") }
            finishInterruptedWrites([out])
            try AtomicFile.check([out, out + ".pub"], forbidden: [authorityPublic])
            let creds = Credentials(schoolID: school, authorityPublicKey: try AuthorityKey.readPublic(from: authorityPublic))
            try creds.writeWithPublic(to: out, publicPath: out + ".pub")
            print(
                "Created \(out) (keep it private) and \(out).pub: send the .pub file to your authority. Key fingerprint: \(creds.fingerprint)."
            )
        }
    }
}

extension Mosaic.RegistryCommand {
    struct IssueCredentials: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "credentials",
            abstract: "Issue a school's credential file, or register a public key the school made; earlier keys of the school are revoked.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The school's id.") var school: String
        @Option(help: "Write a new credential file here (mode 0600) for the school.") var out: String?
        @Option(help: "Register this public key file made by the school ('mosaic keys school').") var publicKey: String?
        @Flag(help: "Keep the school's earlier keys valid (default: revoke them).") var keepOld = false

        func validate() throws {
            guard (out == nil) != (publicKey == nil) else { throw ValidationError("give either --out (issue) or --public-key (register)") }
        }

        func run() throws {
            let db = try store.open()
            if let publicKey {
                let (schoolID, key) = try Credentials.readPublic(from: publicKey)
                guard schoolID == school else {
                    throw Refusal("\(publicKey) is for another school than --school \(school); nothing was registered")
                }
                try db.registerKey(
                    school: school, publicKey: key, fingerprint: fingerprint(of: key), origin: "registered", rotate: !keepOld)
                print("Registered key \(fingerprint(of: key)) for \(school)\(keepOld ? "" : "; earlier keys revoked").")
                return
            }
            guard let out else { return }
            let creds = try CredentialIssuer.issue(school: school, to: out, store: db, keepOld: keepOld)
            print(
                "Issued \(out) for \(school) (key \(creds.fingerprint))\(keepOld ? "" : "; earlier keys revoked"). Hand it over privately; the authority keeps only the public key."
            )
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a school's key (or all its keys): packages signed with it are refused.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The school's id.") var school: String
        @Option(name: .customLong("fingerprint"), help: "Only this key.") var keyFingerprint: String?

        func run() throws {
            let n = try store.open().revokeKeys(school: school, fingerprint: keyFingerprint)
            print("Revoked \(n) key\(n == 1 ? "" : "s") of \(school).")
        }
    }

    struct ListKeys: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "keys", abstract: "List schools' registered keys.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this school.") var school: String?

        func run() throws {
            let keys = try store.open().keys(school: school)
            guard !keys.isEmpty else {
                print("No key registered.")
                return
            }
            var table = TextTable(["school", "fingerprint", "origin", "created", "state"])
            for k in keys {
                table.add([k.schoolID, k.fingerprint, k.origin, k.createdAt, k.revokedAt.map { "revoked \($0)" } ?? "active"])
            }
            print(table.render(), terminator: "")
        }
    }
}
