import GodwitCLI

await GodwitCommand.runMain()
