/** What the command line says; every flag stands for an environment variable or a mode (cli-args.ts). */
export interface CliFlags {
  port?: string;
  dataDir?: string;
  runware?: 'emulator' | 'real';
  envFile?: string;
  verbose?: boolean;
  help?: boolean;
}
