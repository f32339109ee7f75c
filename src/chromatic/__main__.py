from chromatic.cli import run

run()
