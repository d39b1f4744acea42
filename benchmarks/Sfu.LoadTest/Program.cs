using Sfu.LoadTest;

const string Usage = """
    Sfu.LoadTest — forwarding load against SfuRouter, a raw UDP relay or Janus VideoRoom.

      Sfu.LoadTest fanout|rooms|audio [options]   run one scenario, print the result, optionally write JSON
      Sfu.LoadTest table <results.json>...        one Markdown table of earlier results, with ratios
      Sfu.LoadTest relay-server [--bind ADDR] [--mode plain|srtp]   the raw relay process (started by --target relay)
      Sfu.LoadTest plot-downlink <trace.csv> <out.svg> [subscriber] [title]   one shaped subscriber's trace as a chart

    Options:
      --target sfu|relay|janus   what forwards (default sfu; relay and janus run fanout and rooms)
      --subscribers N            fanout: subscribers of the one publisher (50)
      --rooms N --room-size K    rooms: N rooms of K publishing members (10 × 4)
      --participants N --speakers S   audio: one room of N, S of them speaking (50, 5)
      --video-bitrate BPS        per video publisher (fanout 1500000, rooms 300000)
      --simulcast                video publishers send rids q/h/f (sfu only); receive-only bots ask for
                                 the small, medium and large layer in turn (by rendered size)
      --layer mixed|small|medium|large   simulcast: the layer every receive-only bot asks for (mixed)
      --duration S --warmup S    measured window and warm-up (10, 3)
      --server URL --server-pid PID   attach to a running server (SfuRouter URL or Janus's /janus URL)
      --host-dll PATH            Sfu.Host.dll to start (default: the repository's build output)
      --server-log PATH          keep all the started server's output there (its warnings name why a
                                 participant failed); PATH.2, PATH.3 … for further nodes
      --bind ADDR                address the bots bind (127.0.0.1)
      --parallel N               participants connecting at once (4)
      --json PATH                write the result as JSON
      --label NAME               the target's name in the results (e.g. sfu-tuned)
      --bot-policy batch|normal  the tool's own threads under SCHED_BATCH (default), so a bot the
                                 server's send wakes does not preempt the server mid-send, as
                                 receivers on other machines never do; the servers it starts keep
                                 the normal policy
      --subscriber-mode full|count   count: receive-only bots finish ICE and DTLS, then only count
                                 packets from the clear RTP header (recvmmsg, one thread), so one
                                 process holds ~1,000; the first --full-subscribers stay full (full)
      --full-subscribers K       count mode: full bots kept for the latency columns (10)
      --relay-mode plain|srtp    relay: sendto per copy, or sendmmsg + SRTP AES-GCM per copy (plain)
      --transport udp|tcp        how receive-only bots reach the server: UDP, or ICE-TCP (one
                                 connection each, RFC 4571 frames; sfu, full subscribers) (udp)
      --downlink-limit RATE      sfu: when the window opens, limit each full receive-only bot's downlink
                                 to RATE bit/s (600k, 1.5M; tc on lo: root, in a private network
                                 namespace only); they send transport-cc feedback, and the result
                                 tells how fast the server's estimate and what arrived fit the limit
      --downlink-lift S          lift that limit S seconds into the window and time the estimate's climb
      --downlink-trace PATH      write every 200 ms sample of every shaped subscriber as CSV
      --nodes N                  sfu: N cluster nodes on a redis-server the tool starts (Debian's
                                 /usr/bin/redis-server); participants join the nodes in turn, so a
                                 fan-out's publisher is on node 1 and its subscribers alternate;
                                 reports each node's CPU and the packets relayed between them (1)
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
            return RelayServer.Run(
                ArgumentAfter(args, "--bind") ?? "127.0.0.1",
                ArgumentAfter(args, "--mode") is string mode ? Enum.Parse<RelayMode>(mode, ignoreCase: true) : RelayMode.Plain);
        case "plot-downlink" when args.Length >= 3:
            await File.WriteAllTextAsync(
                args[2],
                DownlinkPlot.Render(
                    await File.ReadAllLinesAsync(args[1]).ConfigureAwait(false),
                    args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 0,
                    args.Length > 4 ? args[4] : "One subscriber's downlink: the limit, the server's estimate and allocation, what arrived")).ConfigureAwait(false);
            Console.WriteLine($"written to {args[2]}");
            return 0;
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
            if (options.BatchBots && !BotScheduling.UseBatch())
            {
                Console.Error.WriteLine("could not move the load tool to SCHED_BATCH; its bots keep the normal policy");
            }

            using (var cancel = new CancellationTokenSource())
            {
                Console.CancelKeyPress += (_, e) =>
                {
                    e.Cancel = true;
                    cancel.Cancel();
                };
                LoadResult result = await LoadRunner.RunAsync(options, ProgressLine.ForConsole(), cancel.Token).ConfigureAwait(false);
                Console.Write(ResultTable.Render([result]));
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"load tool (bots): {result.LoadToolCores:0.00} cores, {result.BotPolicy} scheduling policy"));
                if (result.ReceivedLayers is string layers)
                {
                    Console.WriteLine($"video sizes received (full subscribers, from key frames): {layers}");
                }
                if (result.MediaThreadCores is { Count: > 0 } threads)
                {
                    Console.WriteLine(string.Create(
                        System.Globalization.CultureInfo.InvariantCulture,
                        $"{(result.NodeCores is null ? "server" : "node 1")} media threads: {string.Join(", ", threads.Select(t => $"{t.Key} {t.Value:0.00}"))} cores; the rest of {(result.NodeCores is null ? "the server" : "node 1")} {(result.NodeCores?[0] ?? result.ServerCores) - threads.Values.Sum():0.00}"));
                }

                if (result.NodeCores is { Count: > 1 } nodes)
                {
                    Console.WriteLine(string.Create(
                        System.Globalization.CultureInfo.InvariantCulture,
                        $"nodes: {string.Join(", ", nodes.Select((c, i) => $"node {i + 1} {c:0.00} cores"))}; relayed between them {result.RelayedPacketsPerSecond:N0} pkt/s"));
                }

                if (result.Downlink is DownlinkSummary downlink)
                {
                    Console.WriteLine(downlink.Describe());
                }

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
catch (Exception e) when (e is InvalidOperationException or Microsoft.AspNetCore.SignalR.HubException or Sfu.Bots.Janus.JanusException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine("load run failed: " + e.Message);
    return 1;
}

static string? ArgumentAfter(string[] args, string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
