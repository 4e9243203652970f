# MSCommerce: PowerShell module for the mscommerce self-service purchase policy service.
# The functions live one per file: Private/ holds helpers, Public/ the exported commands (listed explicitly in
# MSCommerce.psd1). Importing the module writes nothing to any stream.

# The service's answers leave optional fields out (nextLink on the last page, scope on older items), and the module
# reads them as $null. A Set-StrictMode in the caller's global scope would otherwise reach into the module's scopes
# and turn those reads into errors, so the module fixes its own mode.
Set-StrictMode -Off

# The connection made by Connect-MSCommerce: base URI, access token and, for grants that can be repeated without a
# person (password, client_credentials), what is needed to renew the token. $null until Connect-MSCommerce runs.
$script:MSCommerceConnection = $null

foreach ($folder in @('Private', 'Public')) {
    $folderPath = Join-Path -Path $PSScriptRoot -ChildPath $folder
    foreach ($file in @(Get-ChildItem -Path $folderPath -Filter '*.ps1' -File | Sort-Object -Property Name)) {
        try {
            . $file.FullName
        }
        catch {
            throw "MSCommerce: cannot load '$($file.FullName)': $($_.Exception.Message)"
        }
    }
}

$publicPath = Join-Path -Path $PSScriptRoot -ChildPath 'Public'
$publicFunctions = @(Get-ChildItem -Path $publicPath -Filter '*.ps1' -File | ForEach-Object -Process { $_.BaseName })
Export-ModuleMember -Function $publicFunctions
