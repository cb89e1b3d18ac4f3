// `npm start`: filled in by the daemon issue (emulator in-process + `flowsync run ./manifests`).
console.error('npm start is not wired yet');
process.exitCode = 1;
