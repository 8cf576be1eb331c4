/**
 * Storage.atomically contract: the queued writes commit together, in order, with their row counts; when
 * any of them fails none is kept (the first write of a failing unit is not left behind), and the error is
 * the port error of the write that failed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type Storage, type Written } from '../ports';
import {
  listAll,
  type MakeStorage,
  makeAuditEntry,
  makeClient,
  makeDenyEntry,
  makeGrant,
  makeSession,
  makeSigningKey,
  makeUser,
  NOW,
  uid,
} from './fixtures';

/** Runs the unit-of-work contract against `makeStorage()` of adapter `name`. */
export function describeUnitOfWorkContract(name: string, makeStorage: MakeStorage): void {
  describe(`Storage.atomically contract (${name})`, () => {
    let storage: Storage;
    beforeAll(async () => {
      storage = await makeStorage();
    });

    const auditIds = async () => new Set((await listAll((p) => storage.auditLog.list(p))).map((e) => e.id));
    const findKey = async (kid: string) => (await storage.signingKeys.list()).find((k) => k.kid === kid);

    it('commits every write, in order, and reports the rows each changed', async () => {
      const client = makeClient();
      const entry = makeAuditEntry({ targetId: client.clientId });
      const key = makeSigningKey();
      const handles: Written[] = [];
      await storage.atomically((unit) => {
        handles.push(unit.clients.create(client));
        handles.push(unit.auditLog.append(entry));
        handles.push(unit.signingKeys.insert(key));
        // Sees the insert before it: the writes run in order.
        handles.push(unit.signingKeys.setStatus(key.kid, 'retiring', NOW + 60));
        handles.push(unit.users.delete(uid('missing-')));
      });
      expect(handles.map((h) => h.changes)).toEqual([1, 1, 1, 1, 0]);
      expect(await storage.clients.get(client.clientId)).toEqual(client);
      expect(await auditIds()).toContain(entry.id);
      expect(await findKey(key.kid)).toEqual({ ...key, status: 'retiring', retiresAt: NOW + 60 });
    });

    it('a failing second write leaves the first unwritten (ConflictError of that write)', async () => {
      const existing = makeSigningKey();
      await storage.signingKeys.insert(existing);
      const client = makeClient();
      const error = await storage
        .atomically((unit) => {
          unit.clients.create(client);
          unit.signingKeys.insert(makeSigningKey({ kid: existing.kid, alg: 'EdDSA' }));
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toBe('signing key already exists');
      expect((error as Error).message).not.toContain(existing.kid);
      expect(await storage.clients.get(client.clientId)).toBeNull();
      expect(await findKey(existing.kid)).toEqual(existing);
    });

    it('a failure after several writes undoes all of them (rotation: insert, retire, audit)', async () => {
      const old = makeSigningKey();
      await storage.signingKeys.insert(old);
      const taken = makeAuditEntry();
      await storage.auditLog.append(taken);
      const fresh = makeSigningKey();
      await expect(
        storage.atomically((unit) => {
          unit.signingKeys.insert(fresh);
          unit.signingKeys.setStatus(old.kid, 'retiring', NOW + 3600);
          unit.auditLog.append({ ...makeAuditEntry(), id: taken.id });
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await findKey(fresh.kid)).toBeUndefined();
      expect(await findKey(old.kid)).toEqual(old);
    });

    it("deletes a user with that user's sessions and consents, and only theirs", async () => {
      const user = makeUser();
      const other = makeUser();
      for (const u of [user, other]) await storage.users.create(u);
      const sessions = [makeSession({ userId: user.id }), makeSession({ userId: user.id })];
      const kept = makeSession({ userId: other.id });
      for (const s of [...sessions, kept]) await storage.sessions.create(s);
      const consent = {
        userId: user.id,
        clientId: uid('client-'),
        scope: 'openid',
        createdAt: NOW,
        updatedAt: NOW,
      };
      const otherConsent = { ...consent, userId: other.id };
      await storage.consents.put(consent);
      await storage.consents.put(otherConsent);
      const entry = makeAuditEntry({ action: 'user.delete', targetKind: 'user', targetId: user.id });
      const counts: Written[] = [];
      await storage.atomically((unit) => {
        counts.push(unit.users.delete(user.id));
        counts.push(unit.sessions.deleteByUser(user.id));
        counts.push(unit.consents.deleteByUser(user.id));
        counts.push(unit.auditLog.append(entry));
      });
      expect(counts.map((c) => c.changes)).toEqual([1, 2, 1, 1]);
      expect(await storage.users.getById(user.id)).toBeNull();
      for (const s of sessions) expect(await storage.sessions.delete(s.idHash)).toBe(false);
      expect(await storage.consents.listByUser(user.id)).toEqual([]);
      expect(await storage.sessions.get(kept.idHash, NOW)).toEqual({ session: kept, user: other });
      expect(await storage.consents.listByUser(other.id)).toEqual([otherConsent]);
    });

    it('a failed user deletion keeps the user, the sessions and the consents', async () => {
      const user = makeUser();
      await storage.users.create(user);
      const session = makeSession({ userId: user.id });
      await storage.sessions.create(session);
      const consent = {
        userId: user.id,
        clientId: uid('client-'),
        scope: 'openid',
        createdAt: NOW,
        updatedAt: NOW,
      };
      await storage.consents.put(consent);
      const taken = makeAuditEntry();
      await storage.auditLog.append(taken);
      await expect(
        storage.atomically((unit) => {
          unit.users.delete(user.id);
          unit.sessions.deleteByUser(user.id);
          unit.consents.deleteByUser(user.id);
          unit.auditLog.append({ ...makeAuditEntry(), id: taken.id });
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.users.getById(user.id)).toEqual(user);
      expect(await storage.sessions.get(session.idHash, NOW)).toEqual({ session, user });
      expect(await storage.consents.listByUser(user.id)).toEqual([consent]);
    });

    it('updates as the stores do: a user stored lower-case, a client replaced', async () => {
      const user = makeUser();
      const client = makeClient();
      await storage.users.create(user);
      await storage.clients.create(client);
      const renamed = `Renamed.${uid()}`;
      const updatedClient = { ...client, clientName: 'Renamed', enabled: false, updatedAt: NOW + 1 };
      const handles: Written[] = [];
      await storage.atomically((unit) => {
        handles.push(unit.users.update({ ...user, username: renamed, updatedAt: NOW + 1 }));
        handles.push(unit.clients.update(updatedClient));
        handles.push(unit.clients.update(makeClient()));
      });
      expect(handles.map((h) => h.changes)).toEqual([1, 1, 0]);
      expect(await storage.users.getById(user.id)).toEqual({
        ...user,
        username: renamed.toLowerCase(),
        updatedAt: NOW + 1,
      });
      expect(await storage.clients.get(client.clientId)).toEqual(updatedClient);
    });

    it('creates a user (stored lower-case) with its audit entry; a taken username writes neither', async () => {
      const user = makeUser({ username: `New.${uid()}` });
      const entry = makeAuditEntry({ action: 'user.create', targetKind: 'user', targetId: user.id });
      await storage.atomically((unit) => {
        unit.users.create(user);
        unit.auditLog.append(entry);
      });
      expect(await storage.users.getById(user.id)).toEqual({
        ...user,
        username: user.username.toLowerCase(),
      });
      const twin = makeUser({ username: user.username.toUpperCase() });
      const twinEntry = makeAuditEntry({ targetId: twin.id });
      const error = await storage
        .atomically((unit) => {
          unit.auditLog.append(twinEntry);
          unit.users.create(twin);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toBe('user already exists');
      expect(await storage.users.getById(twin.id)).toBeNull();
      const ids = await auditIds();
      expect(ids).toContain(entry.id);
      expect(ids).not.toContain(twinEntry.id);
    });

    it('a conflicting update (taken username) undoes the client created before it', async () => {
      const [a, b] = [makeUser(), makeUser()];
      await storage.users.create(a);
      await storage.users.create(b);
      const client = makeClient();
      await expect(
        storage.atomically((unit) => {
          unit.clients.create(client);
          unit.users.update({ ...b, username: a.username.toUpperCase() });
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.clients.get(client.clientId)).toBeNull();
      expect(await storage.users.getById(b.id)).toEqual(b);
    });

    it('an empty unit writes nothing; a handle cannot be read before the unit commits', async () => {
      await expect(storage.atomically(() => {})).resolves.toBeUndefined();
      let early: unknown;
      await storage.atomically((unit) => {
        const handle = unit.auditLog.append(makeAuditEntry());
        early = (() => {
          try {
            return handle.changes;
          } catch (error) {
            return error;
          }
        })();
      });
      expect(early).toBeInstanceOf(Error);
    });

    it('marks grants revoked once (as markRevoked), with the audit entry, all or nothing', async () => {
      const [fresh, revoked] = [makeGrant(), makeGrant({ revokedAt: NOW - 10 })];
      await storage.grants.upsert(fresh);
      await storage.grants.upsert(revoked);
      const handles: Written[] = [];
      await storage.atomically((unit) => {
        handles.push(unit.grants.markRevoked(fresh.id, NOW + 5));
        handles.push(unit.grants.markRevoked(revoked.id, NOW + 5));
        handles.push(unit.grants.markRevoked(uid('missing-'), NOW + 5));
        handles.push(unit.auditLog.append(makeAuditEntry({ action: 'grant.revoke_bulk' })));
      });
      expect(handles.map((h) => h.changes)).toEqual([1, 0, 0, 1]);
      expect((await storage.grants.get(fresh.id))?.revokedAt).toBe(NOW + 5);
      expect((await storage.grants.get(revoked.id))?.revokedAt).toBe(NOW - 10);

      const other = makeGrant();
      await storage.grants.upsert(other);
      const taken = makeAuditEntry();
      await storage.auditLog.append(taken);
      await expect(
        storage.atomically((unit) => {
          unit.grants.markRevoked(other.id, NOW);
          unit.auditLog.append({ ...makeAuditEntry(), id: taken.id });
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await storage.grants.get(other.id))?.revokedAt).toBeNull();
    });

    it('adds and deletes denylist entries with the audit entry, all or nothing', async () => {
      const entry = makeDenyEntry();
      const session = makeSession();
      await storage.sessions.create(session);
      const handles: Written[] = [];
      await storage.atomically((unit) => {
        handles.push(unit.denylist.add(entry));
        handles.push(unit.sessions.deleteByUser(session.userId));
        handles.push(unit.auditLog.append(makeAuditEntry({ action: 'denylist.add' })));
      });
      expect(handles.map((h) => h.changes)).toEqual([1, 1, 1]);
      expect(await storage.denylist.get(entry.id)).toEqual(entry);
      expect(await storage.sessions.get(session.idHash, NOW)).toBeNull();

      // The same kind and value again: ConflictError, and the audit entry queued with it is not kept.
      const twin = makeDenyEntry({ kind: entry.kind, value: entry.value });
      const refused = makeAuditEntry({ action: 'denylist.add' });
      await expect(
        storage.atomically((unit) => {
          unit.denylist.add(twin);
          unit.auditLog.append(refused);
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.denylist.get(twin.id)).toBeNull();
      expect(await auditIds()).not.toContain(refused.id);

      // A deletion whose audit entry fails is undone.
      const taken = makeAuditEntry();
      await storage.auditLog.append(taken);
      await expect(
        storage.atomically((unit) => {
          unit.denylist.delete(entry.id);
          unit.auditLog.append({ ...makeAuditEntry(), id: taken.id });
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.denylist.get(entry.id)).toEqual(entry);

      const removed: Written[] = [];
      await storage.atomically((unit) => {
        removed.push(unit.denylist.delete(entry.id));
        removed.push(unit.denylist.delete(uid('missing-')));
        unit.auditLog.append(makeAuditEntry({ action: 'denylist.remove' }));
      });
      expect(removed.map((h) => h.changes)).toEqual([1, 0]);
      expect(await storage.denylist.get(entry.id)).toBeNull();
    });

    it('a client deletion and its audit entry go together', async () => {
      const client = makeClient();
      await storage.clients.create(client);
      const entry = makeAuditEntry({ action: 'client.delete', targetId: client.clientId });
      let deleted: Written | undefined;
      await storage.atomically((unit) => {
        deleted = unit.clients.delete(client.clientId);
        unit.auditLog.append(entry);
      });
      expect(deleted?.changes).toBe(1);
      expect(await storage.clients.get(client.clientId)).toBeNull();
      expect(await auditIds()).toContain(entry.id);
    });
  });
}
