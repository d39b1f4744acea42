using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Sfu.LoadTest.Tests;

/// <summary>
/// The load tool's threads under SCHED_BATCH, and the processes it starts (the servers under
/// test) under the normal policy all the same: read back from /proc.
/// </summary>
public sealed partial class BotSchedulingTests
{
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    [Fact]
    public void A_batch_thread_starts_its_children_with_the_normal_policy_which_they_would_otherwise_inherit()
    {
        int threadPolicy = -1;
        int inheritedPolicy = -1;
        int childPolicy = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Assert.True(BotScheduling.UseBatch());
                threadPolicy = Policy("/proc/thread-self/stat");
                Assert.Equal("batch", BotScheduling.Current());

                // Started directly, a child inherits the batch policy.
                using (Process plain = Process.Start(new ProcessStartInfo("sleep", "5") { UseShellExecute = false })!)
                {
                    inheritedPolicy = Policy($"/proc/{plain.Id}/stat");
                    plain.Kill();
                }

                // Through ChildProcess (how the tool starts the SFU and the relay) it gets the normal one.
                (ChildProcess child, _) = ChildProcess.StartAsync("sh", ["-c", "echo ready; exec sleep 5"], ReadyLine(), TimeSpan.FromSeconds(10), CancellationToken.None)
                    .GetAwaiter().GetResult();
                using (child)
                {
                    childPolicy = Policy($"/proc/{child.Id}/stat");
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.Equal(SchedBatch, threadPolicy);
        Assert.Equal(SchedBatch, inheritedPolicy);
        Assert.Equal(SchedOther, childPolicy);
        Assert.Equal("normal", BotScheduling.Current());
    }

    [Fact]
    public void The_option_parses_and_defaults_to_batch()
    {
        Assert.True(LoadOptions.Parse(["fanout"]).BatchBots);
        Assert.False(LoadOptions.Parse(["fanout", "--bot-policy", "normal"]).BatchBots);
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["fanout", "--bot-policy", "fifo"]));
    }

    /// <summary>Field 41 of /proc/…/stat, counted after the command name's closing parenthesis.</summary>
    private static int Policy(string statPath)
    {
        string stat = File.ReadAllText(statPath);
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[41 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^ready$")]
    private static partial Regex ReadyLine();
}
