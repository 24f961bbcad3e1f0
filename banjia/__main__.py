from banjia.cli import main

main()
