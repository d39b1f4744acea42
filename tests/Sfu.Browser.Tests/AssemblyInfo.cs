// One server and one browser for the whole run; tests open their own contexts and rooms.
[assembly: AssemblyFixture(typeof(Sfu.Browser.Tests.SfuServerFixture))]
[assembly: AssemblyFixture(typeof(Sfu.Browser.Tests.BrowserFixture))]

// Several Chromium renderers decoding video already fill the 2 cores: run tests one at a time.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
