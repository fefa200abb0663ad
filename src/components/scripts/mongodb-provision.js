// Initiates the in-cluster replica set and checks that its admin user logs in on the primary. Run by mongosh
// (`mongosh --nodb --quiet --file mongodb-provision.js`) in the MongoDB image the members run.
//
// Member 0 was started on an empty volume by the image's entrypoint, which created the admin user
// from MONGO_INITDB_ROOT_USERNAME / _PASSWORD; this script logs in there as that user. Idempotent:
// an initiated set is left alone when its members are the expected ones.
// Every wait is bounded; any failure exits 1, so the Job fails.
/* global Mongo, print, quit, sleep, process */

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    print(`error: ${name} is not set`);
    quit(1);
  }
  return value;
};
const hosts = env('MONGODB_HOSTS').split(',').map((h) => h.trim()).filter(Boolean);
const replicaSet = env('MONGODB_REPLICA_SET');
const user = env('MONGODB_ADMIN_USER');
const password = env('MONGODB_ADMIN_PASSWORD');
const waitSeconds = Number(process.env.MONGODB_WAIT_SECONDS || 600);
const PRIMARY = 1;
/** MongoDB's error code of replSetGetStatus on a member that has no configuration yet. */
const NOT_YET_INITIALIZED = 94;

/** Retries fn until it returns a value, every 2 seconds, for at most waitSeconds. */
function until(what, fn) {
  const deadline = Date.now() + waitSeconds * 1000;
  let last;
  for (;;) {
    try {
      const value = fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      print(`error: gave up waiting for ${what} after ${waitSeconds} s${last ? `: ${last.message}` : ''}`);
      quit(1);
    }
    sleep(2000);
  }
}

// Straight to member 0, not through the set: before initiation there is no set to discover.
const admin = until(`${hosts[0]} to accept the admin user`, () => {
  const conn = new Mongo(`mongodb://${hosts[0]}/?directConnection=true&connectTimeoutMS=10000&serverSelectionTimeoutMS=10000`);
  const db = conn.getDB('admin');
  db.auth(user, password);
  return db;
});

let status;
try {
  status = admin.runCommand({ replSetGetStatus: 1 });
} catch (e) {
  if (e.code !== NOT_YET_INITIALIZED) throw e;
  const config = { _id: replicaSet, members: hosts.map((host, i) => ({ _id: i, host })) };
  admin.runCommand({ replSetInitiate: config });
  print(`initiated replica set ${replicaSet} with ${hosts.join(', ')}`);
}
if (status) {
  if (status.set !== replicaSet) {
    print(`error: ${hosts[0]} is in replica set ${status.set}, not ${replicaSet}`);
    quit(1);
  }
  const members = status.members.map((m) => m.name).sort();
  const expected = [...hosts].sort();
  if (members.join(',') !== expected.join(',')) {
    print(`error: replica set ${replicaSet} has members ${members.join(', ')}, expected ${expected.join(', ')}: reconfigure it by hand`);
    quit(1);
  }
  print(`replica set ${replicaSet} is already initiated`);
}

const primary = until(`a primary of ${replicaSet}`, () => {
  const s = admin.runCommand({ replSetGetStatus: 1 });
  return s.members.find((m) => m.state === PRIMARY);
});
print(`primary: ${primary.name}`);

// Members 1 and 2 copy the users from member 0 in their initial sync: the admin user logs in on the primary.
until(`the primary ${primary.name} to accept the admin user`, () => {
  const conn = new Mongo(`mongodb://${primary.name}/?directConnection=true&connectTimeoutMS=10000&serverSelectionTimeoutMS=10000`);
  const db = conn.getDB('admin');
  db.auth(user, password);
  return db.getUser(user);
});
print(`user ${user} logs in on the primary`);
