using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>Chat in a room: lines reach the others with the nickname, HTML stays text, limits are explained.</summary>
public sealed class ChatTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 120_000)]
    public async Task A_message_reaches_the_others_with_the_nickname_and_html_is_shown_as_text_and_never_runs()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "chat-room", "Ada", "&camera=off");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "chat-room", "Bob", "&camera=off");
        await ada.WaitConnectedAsync(cancel);
        await bob.WaitConnectedAsync(cancel);
        await Eventually.UntilAsync(() => NoticesAsync(ada.Page), n => n.Contains("Bob joined"), Deadline, "Ada to see Bob's join notice", cancel);

        await ada.Page.GetByTestId("chat-input").FillAsync("Hello Bob, welcome!");
        await ada.Page.GetByTestId("chat-send").ClickAsync();
        const string Html = "<img src=x onerror=\"window.pwned=1\"><b>bold</b><script>window.pwned=2</script>";
        await ada.Page.GetByTestId("chat-input").FillAsync(Html);
        await ada.Page.GetByTestId("chat-input").PressAsync("Enter");

        await Eventually.UntilAsync(() => MessagesAsync(bob.Page), m => m.Count == 2, Deadline, "Bob to get both lines", cancel);
        IReadOnlyList<string> lines = await MessagesAsync(bob.Page);
        Assert.Equal(["Ada: Hello Bob, welcome!", "Ada: " + Html], lines);
        ILocator last = bob.Page.GetByTestId("chat-message").Last;
        Assert.Equal(0, await last.Locator("img, b, script").CountAsync());
        Assert.Null(await bob.Page.EvaluateAsync<int?>("() => window.pwned ?? null"));
        Assert.Null(await ada.Page.EvaluateAsync<int?>("() => window.pwned ?? null"));
        Assert.Equal(string.Empty, await ada.Page.GetByTestId("chat-input").InputValueAsync());

        // Too long: refused with the server's reason, the text stays for editing.
        await bob.Page.GetByTestId("chat-input").FillAsync(new string('x', 501));
        await bob.Page.GetByTestId("chat-send").ClickAsync();
        await Eventually.UntilAsync(
            async () => await bob.Page.GetByTestId("chat-error").IsVisibleAsync() ? await bob.Page.GetByTestId("chat-error").TextContentAsync() ?? "" : "",
            t => t.Contains("longer than 500 characters", StringComparison.Ordinal),
            Deadline,
            "the length error",
            cancel);
        Assert.Equal(501, (await bob.Page.GetByTestId("chat-input").InputValueAsync()).Length);

        // A newcomer sees the history; Bob leaving shows a notice.
        await using BrowserParticipant carol = await BrowserParticipant.JoinAsync(browser, server, "chat-room", "Carol", "&camera=off");
        await Eventually.UntilAsync(() => MessagesAsync(carol.Page), m => m.Count == 2, Deadline, "Carol to get the history", cancel);
        await bob.Page.GetByTestId("leave").ClickAsync();
        await Eventually.UntilAsync(() => NoticesAsync(carol.Page), n => n.Contains("Bob left"), Deadline, "Carol to see Bob's leave notice", cancel);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_line_that_arrives_before_the_history_it_is_newer_than_stays_once()
    {
        // The server reads a joiner's history before it answers, so a line sent to the room in
        // between reaches the page first: the history must not wipe it, nor show it twice.
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "chat-order", "Ada", "&camera=off");
        await ada.WaitConnectedAsync(cancel);
        string[][] shown = await ada.Page.EvaluateAsync<string[][]>(
            """
            () => {
              const events = window.sfu.ctx.events;
              const at = (s) => new Date(Date.now() + s * 1000).toISOString();
              const notice = (text, s) => ({ from: '', fromId: '', text, sentAt: at(s), kind: 'notice' });
              const read = () => Array.from(document.querySelectorAll('[data-testid=chat-notice] span')).map((e) => e.textContent);
              const older = notice('Old line', 1), live = notice('Bob joined', 3), stale = notice('Stale line', 0);
              events.emit('chat', stale);
              events.emit('chat', live);
              events.emit('chatHistory', [older]);
              const first = read();
              events.emit('chatHistory', [older, live]);
              return [first, read()];
            }
            """);
        Assert.Equal(["Old line", "Bob joined"], shown[0]);
        Assert.Equal(["Old line", "Bob joined"], shown[1]);
    }

    private static async Task<IReadOnlyList<string>> MessagesAsync(IPage page)
        => await page.GetByTestId("chat-message").EvaluateAllAsync<string[]>(
            "items => items.map(i => i.querySelector('[data-testid=chat-from]').textContent + ': ' + i.querySelector('[data-testid=chat-text]').textContent)");

    private static async Task<IReadOnlyList<string>> NoticesAsync(IPage page)
        => await page.GetByTestId("chat-notice").EvaluateAllAsync<string[]>("items => items.map(i => i.querySelector('span').textContent)");
}
