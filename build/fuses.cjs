// electron-builder afterPack hook: flips Electron's fuses in the packaged binary before it is signed and wrapped.
// Why each: RunAsNode / NODE_OPTIONS / --inspect would let anyone run arbitrary code as the signed app;
// asar integrity + OnlyLoadAppFromAsar make a tampered or side-loaded app folder refuse to start;
// cookie encryption protects whatever the session stores on disk.
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuse wire every Geosift build ships with (a unit test reads it). */
const GEOSIFT_FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** Where electron-builder put the Electron executable for this platform. */
function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const product = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${product}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${product}.exe`);
  return path.join(appOutDir, packager.executableName ?? product);
}

async function afterPack(context) {
  const binary = electronBinary(context);
  await flipFuses(binary, {
    ...GEOSIFT_FUSES,
    // Flipping fuses invalidates the ad-hoc signature of arm64 macOS builds; re-sign ad hoc (real signing comes later).
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin',
  });
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.GEOSIFT_FUSES = GEOSIFT_FUSES;
module.exports.electronBinary = electronBinary;
