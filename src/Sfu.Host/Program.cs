using Sfu.Host;
using Sfu.Host.Access;

if (args.Length > 0 && args[0] == TokenCommand.Name)
{
    return TokenCommand.Run(args[1..], Console.Out, Console.Error);
}

WebApplication app = SfuServer.CreateApp(args);
await app.RunAsync().ConfigureAwait(false);
return 0;
