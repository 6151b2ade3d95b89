var app = WebApplication.CreateBuilder(args).Build();

app.MapGet("/", () => "Hello from multistage-sdk");
app.MapGet("/whoami", () => $"{Environment.UserName} on .NET {Environment.Version}");

app.Run();
