using Sfu.LoadTest;

const string Usage = """
    Sfu.LoadTest — forwarding load against SfuRouter, a raw UDP relay or Janus VideoRoom.

      Sfu.LoadTest fanout|rooms|audio [options]   run one scenario, print the result, optionally write JSON
      Sfu.LoadTest table <results.json>...        one Markdown table of earlier results, with ratios
      Sfu.LoadTest relay-server [--bind ADDR]     the raw relay process (started by --target relay)

    Options:
      --target sfu|relay|janus   what forwards (default sfu; relay and janus run fanout only)
      --subscribers N            fanout: subscribers of the one publisher (50)
      --rooms N --room-size K    rooms: N rooms of K publishing members (10 × 4)
      --participants N --speakers S   audio: one room of N, S of them speaking (50, 5)
      --video-bitrate BPS        per video publisher (fanout 1500000, rooms 300000)
      --duration S --warmup S    measured window and warm-up (10, 3)
      --server URL --server-pid PID   attach to a running server (SfuRouter URL or Janus's /janus URL)
      --host-dll PATH            Sfu.Host.dll to start (default: the repository's build output)
      --bind ADDR                address the bots bind (127.0.0.1)
      --parallel N               participants connecting at once (4)
      --json PATH                write the result as JSON
      --label NAME               the target's name in the results (e.g. sfu-tuned)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    switch (args[0])
    {
        case "relay-server":
            return RelayServer.Run(args.Length >= 3 && args[1] == "--bind" ? args[2] : "127.0.0.1");
        case "table":
            var all = new List<LoadResult>();
            foreach (string path in args.Skip(1))
            {
                all.AddRange(await ResultJson.ReadAsync(path).ConfigureAwait(false));
            }

            Console.Write(ResultTable.Render(all));
            return 0;
        default:
            LoadOptions options = LoadOptions.Parse(args);
            using (var cancel = new CancellationTokenSource())
            {
                Console.CancelKeyPress += (_, e) =>
                {
                    e.Cancel = true;
                    cancel.Cancel();
                };
                LoadResult result = await LoadRunner.RunAsync(options, ProgressLine.ForConsole(), cancel.Token).ConfigureAwait(false);
                Console.Write(ResultTable.Render([result]));
                if (options.JsonPath is not null)
                {
                    await ResultJson.WriteAsync(options.JsonPath, [result]).ConfigureAwait(false);
                    Console.WriteLine($"written to {options.JsonPath}");
                }
            }

            return 0;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}
catch (Exception e) when (e is InvalidOperationException or Sfu.Bots.Janus.JanusException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine("load run failed: " + e.Message);
    return 1;
}
