"""Reports a bureau files: the monthly statistics report (月度统计报表) per station, district and
city, from the board's read models, as JSON, an Excel workbook and a Word document."""
