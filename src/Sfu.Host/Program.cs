using Sfu.Host;

WebApplication app = SfuServer.CreateApp(args);
await app.RunAsync().ConfigureAwait(false);
