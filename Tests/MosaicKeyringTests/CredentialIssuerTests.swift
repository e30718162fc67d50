import Foundation
import MosaicFiles
import MosaicRegistry
import MosaicSeal
import MosaicStore
import Testing

@testable import MosaicKeyring

@Suite struct CredentialIssuerTests {
    static func store() throws -> (Store, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-keyring-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = try Store.create(at: folder + "/s.sqlite")
        let school = School(
            id: "S1", name: "Colegio", regionCode: "R", regionName: "R", provinceCode: "P", provinceName: "P",
            municipalityCode: "", municipalityName: "", enrolment: 300, stage: .secondary, sector: .public)
        _ = try store.importRegistry([school], source: "r.csv")
        try store.setAuthorityPublicKey(AuthorityKey().publicKey)
        return (store, folder)
    }

    @Test func issuingRevokesTheOldKeyOnlyWhenTheNewFileIsWritten() throws {
        let (store, folder) = try Self.store()
        let first = try CredentialIssuer.issue(school: "S1", to: folder + "/a.cred", store: store)
        // A taken name: refused before anything changes; the first key still works.
        FileManager.default.createFile(atPath: folder + "/taken.cred", contents: Data("x".utf8))
        #expect(throws: OutputError.exists(folder + "/taken.cred")) {
            try CredentialIssuer.issue(school: "S1", to: folder + "/taken.cred", store: store)
        }
        #expect(try store.keys(school: "S1").filter(\.isActive).map(\.fingerprint) == [first.fingerprint])
        let second = try CredentialIssuer.issue(school: "S1", to: folder + "/b.cred", store: store)
        #expect(try store.keys(school: "S1").filter(\.isActive).map(\.fingerprint) == [second.fingerprint])
        #expect(try Credentials.read(from: folder + "/b.cred").fingerprint == second.fingerprint)
        #expect((try FileManager.default.attributesOfItem(atPath: folder + "/b.cred")[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try store.pendingOutputs().isEmpty)
    }

    @Test func anUnknownSchoolGetsNothing() throws {
        let (store, folder) = try Self.store()
        #expect(throws: KeyError.unknownSchool("NOPE")) { try CredentialIssuer.issue(school: "NOPE", to: folder + "/n.cred", store: store) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/n.cred"))
        #expect(try store.keys().isEmpty)
    }
}
