@{
    RootModule           = 'MSCommerce.psm1'
    ModuleVersion        = '3.3.0'
    GUID                 = '8c796fbc-2dc3-470d-b9cc-570fc341b324'
    Author               = 'mscommerce contributors'
    CompanyName          = 'mscommerce'
    Copyright            = '(c) mscommerce contributors. MIT License.'
    Description          = 'Manage the self-service purchase policy of an mscommerce service: the six cmdlets of Microsoft''s MSCommerce module with the same parameters, plus unattended sign-in, pipelines, -WhatIf, an audit log, a one-command baseline, and the self-service subscriptions themselves (list, license holders, CSV export, take-over by moving users or cancelling). Windows PowerShell 5.1 and PowerShell 7 on Windows, Linux and macOS.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MSCommerce.Format.ps1xml')
    FunctionsToExport    = @(
        'Add-MSCommerceSubscriptionUser'
        'Connect-MSCommerce'
        'Disable-MSCommerceSubscription'
        'Disconnect-MSCommerce'
        'Export-MSCommerceLicenseUser'
        'Get-MSCommerceAuditLog'
        'Get-MSCommerceDomain'
        'Get-MSCommerceLicense'
        'Get-MSCommercePolicies'
        'Get-MSCommercePolicy'
        'Get-MSCommerceProductPolicies'
        'Get-MSCommerceProductPolicy'
        'Get-MSCommercePurchase'
        'Get-MSCommerceSubscription'
        'Get-MSCommerceTrustedIssuer'
        'Get-MSCommerceUser'
        'Move-MSCommerceSubscriptionUser'
        'New-MSCommerceDomain'
        'New-MSCommercePurchase'
        'New-MSCommerceSubscription'
        'New-MSCommerceTrustedIssuer'
        'New-MSCommerceUser'
        'Remove-MSCommerceSubscriptionUser'
        'Remove-MSCommerceTrustedIssuer'
        'Set-MSCommerceProductPolicyBaseline'
        'Set-MSCommerceSubscription'
        'Set-MSCommerceUser'
        'Stop-MSCommerceSubscription'
        'Test-MSCommerceAcquisition'
        'Update-MSCommerceProductPolicy'
    )
    CmdletsToExport      = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Microsoft', 'Commerce', 'Licensing', 'SelfServicePurchase', 'MSCommerce', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = '3.3.0: Connect-MSCommerce signs in in the system browser (authorization code with PKCE) on Windows, macOS and Linux, with -UseDeviceCode where no browser can open, and with -Certificate/-CertificateThumbprint for applications; -TenantId takes domain names; tokens renew with rotated refresh tokens, which Disconnect-MSCommerce revokes. See CHANGELOG.md and docs/POWERSHELL.md.'
        }
    }
}
