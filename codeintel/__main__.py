from codeintel.cli import entry

entry()
