using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>How the tests wait for a page to move to another address.</summary>
internal static class Navigation
{
    /// <summary>
    /// Done once the new document is committed. The tests ask where the page went, not whether
    /// it finished loading; waiting for <c>load</c> as well has hung on a loaded machine after the
    /// address had already changed.
    /// </summary>
    public static PageWaitForURLOptions UrlCommitted { get; } = new() { WaitUntil = WaitUntilState.Commit };
}
